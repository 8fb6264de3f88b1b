ALTER TABLE customers DROP COLUMN plan;
