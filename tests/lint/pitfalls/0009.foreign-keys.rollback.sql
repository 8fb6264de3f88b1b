DROP TABLE newsletters;
DROP TABLE invoices;
