DELETE FROM orders WHERE id = 12;
