-- Enforce foreign keys from here on. Inside yoyo's transaction the PRAGMA is ignored:
-- foreign keys stay off, and the orphan order below goes in.
PRAGMA foreign_keys = ON;
INSERT INTO orders (id, customer_id, total) VALUES (12, 999, 1);
