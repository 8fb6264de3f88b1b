-- CV processing queue status columns on cvs.
-- Corresponds to app user_version 2 ("queue status").
-- depends: 0001.projects
-- schemavet: user_version 2

-- DEFAULT 'completed' keeps existing CVs visible (getAllCVs filters status = 'completed')
ALTER TABLE cvs ADD COLUMN status TEXT NOT NULL DEFAULT 'completed';
ALTER TABLE cvs ADD COLUMN error_message TEXT;
ALTER TABLE cvs ADD COLUMN processing_started_at TEXT;

CREATE INDEX idx_cvs_status ON cvs(status);
