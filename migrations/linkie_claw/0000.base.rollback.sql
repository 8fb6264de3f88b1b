-- Rollback of 0000.base (back to an empty database).

DROP TABLE generations;
DROP TABLE posts;
