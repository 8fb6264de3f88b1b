-- Rollback of 0001.multi-user (back to 0000.base). The posts and generations of every user are
-- kept (their owner is forgotten); accounts, sessions, settings and OAuth states are dropped.

DROP TABLE linkedin_oauth_states;
DROP TABLE user_settings;

CREATE TABLE generations_old (
  id text PRIMARY KEY NOT NULL,
  idea text NOT NULL,
  text_variations_json text NOT NULL,
  images_json text NOT NULL,
  selected_text_id text,
  selected_image_id text,
  created_at timestamp with time zone NOT NULL
);

INSERT INTO generations_old (
  id, idea, text_variations_json, images_json, selected_text_id, selected_image_id, created_at
)
SELECT id, idea, text_variations_json, images_json, selected_text_id, selected_image_id, created_at
FROM generations;

DROP TABLE generations;

ALTER TABLE generations_old RENAME TO generations;

-- PostgreSQL named the new table's constraints after "generations_old": give them the names a table
-- created as "generations" has, so that the schema is the one CREATE TABLE "generations" makes.
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
  id text PRIMARY KEY NOT NULL,
  title text NOT NULL,
  content text NOT NULL,
  image_url text,
  scheduled_at timestamp with time zone,
  published_at timestamp with time zone,
  status text NOT NULL DEFAULT 'draft',
  linkedin_post_urn text,
  error_message text,
  created_at timestamp with time zone NOT NULL,
  updated_at timestamp with time zone NOT NULL
);

INSERT INTO posts_old (
  id, title, content, image_url, scheduled_at, published_at, status, linkedin_post_urn,
  error_message, created_at, updated_at
)
SELECT
  id, title, content, image_url, scheduled_at, published_at, status, linkedin_post_urn,
  error_message, created_at, updated_at
FROM posts;

DROP TABLE posts;

ALTER TABLE posts_old RENAME TO posts;

-- PostgreSQL named the new table's constraints after "posts_old": give them the names a table
-- created as "posts" has, so that the schema is the one CREATE TABLE "posts" makes.
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
