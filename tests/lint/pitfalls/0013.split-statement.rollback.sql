DROP TRIGGER IF EXISTS trg_orders_audit;
