-- linkie-claw before accounts: the posts it schedules for LinkedIn and the generations (text
-- and image variations for an idea) they are made from. Timestamps are Unix seconds in
-- INTEGER columns, as the app's Drizzle schema (mode: "timestamp") writes them.

CREATE TABLE posts (
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

CREATE TABLE generations (
  id TEXT PRIMARY KEY NOT NULL,
  idea TEXT NOT NULL,
  text_variations_json TEXT NOT NULL,
  images_json TEXT NOT NULL,
  selected_text_id TEXT,
  selected_image_id TEXT,
  created_at INTEGER NOT NULL
);
