CREATE TABLE `generations` (
	`id` text PRIMARY KEY NOT NULL,
	`idea` text NOT NULL,
	`text_variations_json` text NOT NULL,
	`images_json` text NOT NULL,
	`selected_text_id` text,
	`selected_image_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `posts` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`content` text NOT NULL,
	`image_url` text,
	`scheduled_at` integer,
	`published_at` integer,
	`status` text DEFAULT 'draft' NOT NULL,
	`linkedin_post_urn` text,
	`error_message` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (
	id SERIAL PRIMARY KEY,
	hash text NOT NULL,
	created_at numeric
);
--> statement-breakpoint
INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES ('9f2c1e0d5b7a4c3e8d6f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d', 1733000000000);
--> statement-breakpoint
INSERT INTO `posts` (`id`, `title`, `content`, `status`, `created_at`, `updated_at`) VALUES ('p1', 'Hello', 'First', 'draft', 1733000000, 1733000000);
