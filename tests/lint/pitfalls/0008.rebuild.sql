-- Make customers.email case-insensitive: SQLite needs a rebuild for that.

PRAGMA foreign_keys = OFF;

CREATE TABLE customers_new (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE,
  referrer_id INTEGER
);

INSERT INTO customers_new (id, email) SELECT id, email FROM customers;

DROP TABLE customers;

ALTER TABLE customers_new RENAME TO customers;

PRAGMA foreign_keys = ON;
