ALTER TABLE customers DROP COLUMN created_at;
