-- linkie-claw before accounts: the posts it schedules for LinkedIn and the generations (text
-- and image variations for an idea) they are made from. Timestamps are Unix seconds in
-- INTEGER columns, as the app's Drizzle schema (mode: "timestamp") writes them.
-- Written for PostgreSQL by schemavet transpile from 0000.base.sql.

CREATE TABLE posts (
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

CREATE TABLE generations (
  id text NOT NULL,
  idea text NOT NULL,
  text_variations_json text NOT NULL,
  images_json text NOT NULL,
  selected_text_id text,
  selected_image_id text,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (id)
);
