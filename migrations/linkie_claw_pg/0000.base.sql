-- linkie-claw before accounts, on PostgreSQL: migrations/linkie_claw/0000.base.sql with its
-- Unix-second INTEGER timestamps as timestamptz (schema/linkie_claw.yaml states the types).

CREATE TABLE posts (
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

CREATE TABLE generations (
  id text PRIMARY KEY NOT NULL,
  idea text NOT NULL,
  text_variations_json text NOT NULL,
  images_json text NOT NULL,
  selected_text_id text,
  selected_image_id text,
  created_at timestamp with time zone NOT NULL
);
