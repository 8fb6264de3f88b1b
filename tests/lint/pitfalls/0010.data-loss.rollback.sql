CREATE INDEX ix_orders_customer ON orders(customer_id);
