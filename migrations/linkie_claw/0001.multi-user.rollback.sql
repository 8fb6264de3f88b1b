-- Rollback of 0001.multi-user (back to 0000.base). The posts and generations of every user are
-- kept (their owner is forgotten); accounts, sessions, settings and OAuth states are dropped.

DROP TABLE linkedin_oauth_states;
DROP TABLE user_settings;

CREATE TABLE generations_old (
  id TEXT PRIMARY KEY NOT NULL,
  idea TEXT NOT NULL,
  text_variations_json TEXT NOT NULL,
  images_json TEXT NOT NULL,
  selected_text_id TEXT,
  selected_image_id TEXT,
  created_at INTEGER NOT NULL
);

INSERT INTO generations_old (
  id, idea, text_variations_json, images_json, selected_text_id, selected_image_id, created_at
)
SELECT id, idea, text_variations_json, images_json, selected_text_id, selected_image_id, created_at
FROM generations;

DROP TABLE generations;

ALTER TABLE generations_old RENAME TO generations;

CREATE TABLE posts_old (
  id TEXT PRIMARY KEY NOT NULL,
  title TEXT NOT NULL,
  content TEXT NOT NULL,
  image_url TEXT,
  scheduled_at INTEGER,
  published_at INTEGER,
  status TEXT NOT NULL DEFAULT 'draft',
  linkedin_post_urn TEXT,
  error_message TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
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

DROP TABLE "verificationTokens";
DROP TABLE sessions;
DROP TABLE accounts;
DROP TABLE users;
