
DROP INDEX ix_orders_customer;
DELETE FROM audit;
UPDATE orders SET total = 0;
ALTER TABLE orders DROP COLUMN total;
DROP TABLE newsletters;
