-- The schema every pitfall runs against: customers, their orders, an audit trigger.

CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL,
  name TEXT
);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
  total REAL NOT NULL DEFAULT 0
);

CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  note TEXT NOT NULL
);

CREATE INDEX ix_orders_customer ON orders(customer_id);
CREATE INDEX ix_customers_email ON customers(email);

CREATE TRIGGER trg_customers_audit AFTER UPDATE ON customers
BEGIN
  INSERT INTO audit (note) VALUES ('customer ' || NEW.id || ' changed');
END;
