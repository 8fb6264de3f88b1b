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

CREATE TABLE users (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT,
  email TEXT NOT NULL,
  "emailVerified" INTEGER,
  image TEXT,
  created_at INTEGER NOT NULL DEFAULT (unixepoch())
);

CREATE TABLE accounts (
  "userId" TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  provider TEXT NOT NULL,
  "providerAccountId" TEXT NOT NULL,
  refresh_token TEXT,
  access_token TEXT,
  expires_at INTEGER,
  token_type TEXT,
  scope TEXT,
  id_token TEXT,
  session_state TEXT,
  PRIMARY KEY (provider, "providerAccountId")
);

CREATE INDEX accounts_user_id_idx ON accounts ("userId");

CREATE TABLE sessions (
  "sessionToken" TEXT PRIMARY KEY NOT NULL,
  "userId" TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires INTEGER NOT NULL
);

CREATE INDEX sessions_user_id_idx ON sessions ("userId");

CREATE TABLE "verificationTokens" (
  identifier TEXT NOT NULL,
  token TEXT NOT NULL UNIQUE,
  expires INTEGER NOT NULL,
  PRIMARY KEY (identifier, token)
);

-- the owner of what was there before accounts existed (sign in as owner@linkie-claw.invalid
-- through the email provider to claim it)
INSERT INTO users (id, name, email, created_at)
SELECT 'legacy_owner', 'Legacy owner', 'owner@linkie-claw.invalid', unixepoch()
WHERE EXISTS (SELECT 1 FROM posts) OR EXISTS (SELECT 1 FROM generations);

CREATE TABLE posts_new (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  image_url TEXT,
  scheduled_at INTEGER,
  published_at INTEGER,
  status TEXT NOT NULL DEFAULT 'draft',
  linkedin_post_urn TEXT,
  error_message TEXT,
  retry_count INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

INSERT INTO posts_new (
  id, user_id, title, content, image_url, scheduled_at, published_at, status,
  linkedin_post_urn, error_message, retry_count, created_at, updated_at
)
SELECT
  id, 'legacy_owner', title, content, image_url, scheduled_at, published_at, status,
  linkedin_post_urn, error_message, 0, created_at, updated_at
FROM posts;

DROP TABLE posts;

ALTER TABLE posts_new RENAME TO posts;

CREATE INDEX posts_user_id_idx ON posts (user_id);
CREATE INDEX posts_status_idx ON posts (status);
CREATE INDEX posts_scheduled_at_idx ON posts (scheduled_at);

CREATE TABLE generations_new (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  idea TEXT NOT NULL,
  text_variations_json TEXT NOT NULL,
  images_json TEXT NOT NULL,
  selected_text_id TEXT,
  selected_image_id TEXT,
  created_at INTEGER NOT NULL
);

INSERT INTO generations_new (
  id, user_id, idea, text_variations_json, images_json, selected_text_id, selected_image_id,
  created_at
)
SELECT
  id, 'legacy_owner', idea, text_variations_json, images_json, selected_text_id,
  selected_image_id, created_at
FROM generations;

DROP TABLE generations;

ALTER TABLE generations_new RENAME TO generations;

CREATE INDEX generations_user_id_idx ON generations (user_id);

CREATE TABLE user_settings (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  linkedin_profile_url TEXT,
  linkedin_person_urn TEXT,
  linkedin_connected INTEGER NOT NULL DEFAULT 0 CHECK (linkedin_connected IN (0, 1)),
  linkedin_access_token TEXT,
  linkedin_refresh_token TEXT,
  linkedin_token_expires_at INTEGER,
  linkedin_oauth_status TEXT
    CHECK (linkedin_oauth_status IN ('connected', 'disconnected', 'expired')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE linkedin_oauth_states (
  state TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL
);

CREATE INDEX linkedin_oauth_states_user_id_idx ON linkedin_oauth_states (user_id);
