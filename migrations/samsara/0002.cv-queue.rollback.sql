-- Rollback of 0002.cv-queue (back to app user_version 1).

DROP INDEX idx_cvs_status;
ALTER TABLE cvs DROP COLUMN processing_started_at;
ALTER TABLE cvs DROP COLUMN error_message;
ALTER TABLE cvs DROP COLUMN status;
