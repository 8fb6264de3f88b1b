CREATE UNIQUE INDEX ux_customers_email ON customers(email);
