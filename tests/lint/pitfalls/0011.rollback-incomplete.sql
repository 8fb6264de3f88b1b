-- Tags for customers. The rollback drops the index and forgets the table.
CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  label TEXT NOT NULL
);
CREATE INDEX ix_tags_customer ON tags(customer_id);
