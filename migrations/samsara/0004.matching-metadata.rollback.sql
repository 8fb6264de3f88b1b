-- Rollback of 0004.matching-metadata (back to app user_version 3).

ALTER TABLE job_descriptions DROP COLUMN matching_metadata_json;
