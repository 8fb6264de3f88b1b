-- Rollback of 0000.base (back to an empty database).
-- Written for PostgreSQL by schemavet transpile from 0000.base.rollback.sql.

-- This migration rewrites tables that exist: wait for a lock at most this long, then fail (and
-- be retried) rather than queue every reader behind the migration.
SET LOCAL lock_timeout = '5s';

DROP TABLE generations;

DROP TABLE posts;
