-- Matching metadata JSON on job_descriptions.
-- Corresponds to app user_version 4 ("matching metadata").
-- depends: 0003.usage-tracking
-- schemavet: user_version 4

ALTER TABLE job_descriptions ADD COLUMN matching_metadata_json TEXT;
