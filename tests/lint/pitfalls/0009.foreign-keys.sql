
CREATE TABLE invoices (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER REFERENCES customer(id)
);

CREATE TABLE newsletters (
  id INTEGER PRIMARY KEY,
  email TEXT REFERENCES customers(email)
);
