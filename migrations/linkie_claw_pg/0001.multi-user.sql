-- Multi-user linkie-claw: Auth.js tables (users, accounts, sessions, verificationTokens, their
-- camelCase column names as the Drizzle adapter spells them), an owner on every post and
-- generation, a retry count for the publisher, per-user LinkedIn settings and OAuth states.
--
-- posts.user_id and generations.user_id are NOT NULL foreign keys, which SQLite cannot add with
-- ALTER TABLE: both tables are rebuilt (new table, copy, drop, rename, indexes). The design
-- wiped the database instead; here the rows already there are kept and given to one seeded
-- owner, created only when there is something to own. Nothing references posts or generations,
-- so dropping the old tables cascades nothing, and yoyo's transaction makes the rebuild atomic.
-- depends: 0000.base
-- Written for PostgreSQL by schemavet transpile from 0001.multi-user.sql.

-- This migration rewrites tables that exist: wait for a lock at most this long, then fail (and
-- be retried) rather than queue every reader behind the migration.
SET LOCAL lock_timeout = '5s';

CREATE TABLE users (
  id text NOT NULL,
  name text,
  email text NOT NULL,
  "emailVerified" timestamptz,
  image text,
  created_at timestamptz DEFAULT NOW() NOT NULL,
  PRIMARY KEY (id)
);

CREATE TABLE accounts (
  "userId" text NOT NULL,
  type text NOT NULL,
  provider text NOT NULL,
  "providerAccountId" text NOT NULL,
  refresh_token text,
  access_token text,
  expires_at bigint,
  token_type text,
  scope text,
  id_token text,
  session_state text,
  PRIMARY KEY (provider, "providerAccountId"),
  FOREIGN KEY ("userId") REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX accounts_user_id_idx ON accounts ("userId");

CREATE TABLE sessions (
  "sessionToken" text NOT NULL,
  "userId" text NOT NULL,
  expires timestamptz NOT NULL,
  PRIMARY KEY ("sessionToken"),
  FOREIGN KEY ("userId") REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX sessions_user_id_idx ON sessions ("userId");

CREATE TABLE "verificationTokens" (
  identifier text NOT NULL,
  token text NOT NULL,
  expires timestamptz NOT NULL,
  PRIMARY KEY (identifier, token),
  UNIQUE (token)
);

-- the owner of what was there before accounts existed (sign in as owner@linkie-claw.invalid
-- through the email provider to claim it)
INSERT INTO users (
  id,
  name,
  email,
  created_at
)
SELECT
  'legacy_owner',
  'Legacy owner',
  'owner@linkie-claw.invalid',
  NOW()
WHERE
  EXISTS(
    SELECT
      1
    FROM posts
  )
  OR EXISTS(
    SELECT
      1
    FROM generations
  );

CREATE TABLE posts_new (
  id text NOT NULL,
  user_id text NOT NULL,
  title text NOT NULL,
  content text NOT NULL,
  image_url text,
  scheduled_at timestamptz,
  published_at timestamptz,
  status text DEFAULT 'draft' NOT NULL,
  linkedin_post_urn text,
  error_message text,
  retry_count bigint DEFAULT 0 NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

INSERT INTO posts_new (
  id,
  user_id,
  title,
  content,
  image_url,
  scheduled_at,
  published_at,
  status,
  linkedin_post_urn,
  error_message,
  retry_count,
  created_at,
  updated_at
)
SELECT
  id,
  'legacy_owner',
  title,
  content,
  image_url,
  scheduled_at,
  published_at,
  status,
  linkedin_post_urn,
  error_message,
  0,
  created_at,
  updated_at
FROM posts;

DROP TABLE posts;

ALTER TABLE posts_new RENAME TO posts;
-- PostgreSQL named the constraints after "posts_new": give them the names a table created as
-- "posts" has (a table rebuild on SQLite ends with this rename)
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN
    SELECT conname FROM pg_constraint
    WHERE conrelid = format('%I', 'posts')::regclass AND starts_with(conname, 'posts_new_')
  LOOP
    EXECUTE format(
      'ALTER TABLE %I RENAME CONSTRAINT %I TO %I',
      'posts', c.conname, 'posts_' || substr(c.conname, length('posts_new_') + 1)
    );
  END LOOP;
END
$$;

-- schemavet: noqa SV601 the table was made by this migration and is not yet committed: no one else can see it
CREATE INDEX posts_user_id_idx ON posts (user_id);

-- schemavet: noqa SV601 the table was made by this migration and is not yet committed: no one else can see it
CREATE INDEX posts_status_idx ON posts (status);

-- schemavet: noqa SV601 the table was made by this migration and is not yet committed: no one else can see it
CREATE INDEX posts_scheduled_at_idx ON posts (scheduled_at);

CREATE TABLE generations_new (
  id text NOT NULL,
  user_id text NOT NULL,
  idea text NOT NULL,
  text_variations_json text NOT NULL,
  images_json text NOT NULL,
  selected_text_id text,
  selected_image_id text,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

INSERT INTO generations_new (
  id,
  user_id,
  idea,
  text_variations_json,
  images_json,
  selected_text_id,
  selected_image_id,
  created_at
)
SELECT
  id,
  'legacy_owner',
  idea,
  text_variations_json,
  images_json,
  selected_text_id,
  selected_image_id,
  created_at
FROM generations;

DROP TABLE generations;

ALTER TABLE generations_new RENAME TO generations;
-- PostgreSQL named the constraints after "generations_new": give them the names a table created as
-- "generations" has (a table rebuild on SQLite ends with this rename)
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN
    SELECT conname FROM pg_constraint
    WHERE conrelid = format('%I', 'generations')::regclass AND starts_with(conname, 'generations_new_')
  LOOP
    EXECUTE format(
      'ALTER TABLE %I RENAME CONSTRAINT %I TO %I',
      'generations', c.conname, 'generations_' || substr(c.conname, length('generations_new_') + 1)
    );
  END LOOP;
END
$$;

-- schemavet: noqa SV601 the table was made by this migration and is not yet committed: no one else can see it
CREATE INDEX generations_user_id_idx ON generations (user_id);

CREATE TABLE user_settings (
  id text NOT NULL,
  user_id text NOT NULL,
  linkedin_profile_url text,
  linkedin_person_urn text,
  linkedin_connected boolean DEFAULT FALSE NOT NULL,
  linkedin_access_token text,
  linkedin_refresh_token text,
  linkedin_token_expires_at timestamptz,
  linkedin_oauth_status text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (id),
  UNIQUE (user_id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CHECK (linkedin_oauth_status IN ('connected', 'disconnected', 'expired'))
);

CREATE TABLE linkedin_oauth_states (
  state text NOT NULL,
  user_id text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (state),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX linkedin_oauth_states_user_id_idx ON linkedin_oauth_states (user_id);
