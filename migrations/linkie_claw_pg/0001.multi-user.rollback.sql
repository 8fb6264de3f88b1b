-- Rollback of 0001.multi-user (back to 0000.base). The posts and generations of every user are
-- kept (their owner is forgotten); accounts, sessions, settings and OAuth states are dropped.
-- Written for PostgreSQL by schemavet transpile from 0001.multi-user.rollback.sql.

-- This migration rewrites tables that exist: wait for a lock at most this long, then fail (and
-- be retried) rather than queue every reader behind the migration.
SET LOCAL lock_timeout = '5s';

DROP TABLE linkedin_oauth_states;

DROP TABLE user_settings;

CREATE TABLE generations_old (
  id text NOT NULL,
  idea text NOT NULL,
  text_variations_json text NOT NULL,
  images_json text NOT NULL,
  selected_text_id text,
  selected_image_id text,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (id)
);

INSERT INTO generations_old (
  id,
  idea,
  text_variations_json,
  images_json,
  selected_text_id,
  selected_image_id,
  created_at
)
SELECT
  id,
  idea,
  text_variations_json,
  images_json,
  selected_text_id,
  selected_image_id,
  created_at
FROM generations;

DROP TABLE generations;

ALTER TABLE generations_old RENAME TO generations;
-- PostgreSQL named the constraints after "generations_old": give them the names a table created as
-- "generations" has (a table rebuild on SQLite ends with this rename)
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN
    SELECT conname FROM pg_constraint
    WHERE conrelid = format('%I', 'generations')::regclass AND starts_with(conname, 'generations_old_')
  LOOP
    EXECUTE format(
      'ALTER TABLE %I RENAME CONSTRAINT %I TO %I',
      'generations', c.conname, 'generations_' || substr(c.conname, length('generations_old_') + 1)
    );
  END LOOP;
END
$$;

CREATE TABLE posts_old (
  id text NOT NULL,
  title text NOT NULL,
  content text NOT NULL,
  image_url text,
  scheduled_at timestamptz,
  published_at timestamptz,
  status text DEFAULT 'draft' NOT NULL,
  linkedin_post_urn text,
  error_message text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (id)
);

INSERT INTO posts_old (
  id,
  title,
  content,
  image_url,
  scheduled_at,
  published_at,
  status,
  linkedin_post_urn,
  error_message,
  created_at,
  updated_at
)
SELECT
  id,
  title,
  content,
  image_url,
  scheduled_at,
  published_at,
  status,
  linkedin_post_urn,
  error_message,
  created_at,
  updated_at
FROM posts;

DROP TABLE posts;

ALTER TABLE posts_old RENAME TO posts;
-- PostgreSQL named the constraints after "posts_old": give them the names a table created as
-- "posts" has (a table rebuild on SQLite ends with this rename)
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN
    SELECT conname FROM pg_constraint
    WHERE conrelid = format('%I', 'posts')::regclass AND starts_with(conname, 'posts_old_')
  LOOP
    EXECUTE format(
      'ALTER TABLE %I RENAME CONSTRAINT %I TO %I',
      'posts', c.conname, 'posts_' || substr(c.conname, length('posts_old_') + 1)
    );
  END LOOP;
END
$$;

DROP TABLE "verificationTokens";

DROP TABLE sessions;

DROP TABLE accounts;

DROP TABLE users;
