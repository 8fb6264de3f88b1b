-- Rollback of 0006.cv-queue-order (back to app user_version 5).

DROP INDEX idx_cvs_status_created_at;
