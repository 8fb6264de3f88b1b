-- An audit trigger whose END was lost in an edit: yoyo's splitter (sqlparse) runs the
-- trigger and the next statement together as one piece.
CREATE TRIGGER trg_orders_audit AFTER INSERT ON orders
BEGIN
  INSERT INTO audit (note) VALUES ('order ' || NEW.id);

CREATE INDEX ix_orders_total ON orders(total);
