DROP TABLE audit;
DROP TABLE orders;
DROP TABLE customers;
