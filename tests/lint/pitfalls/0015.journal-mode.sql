-- Switch the database to WAL. SQLite cannot change the journal mode inside the
-- transaction yoyo puts around this file: the migration fails.
PRAGMA journal_mode = WAL;
