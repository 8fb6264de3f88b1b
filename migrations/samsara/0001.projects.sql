-- Projects table, project_id on cvs/job_descriptions, Default Project.
-- Corresponds to app user_version 1 ("projects").
-- depends: 0000.base
-- schemavet: user_version 1

CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  client_name TEXT,
  description TEXT,
  is_archived INTEGER DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- SQLite doesn't support adding FK constraints via ALTER TABLE, so we add nullable column
ALTER TABLE cvs ADD COLUMN project_id TEXT;
ALTER TABLE job_descriptions ADD COLUMN project_id TEXT;

CREATE INDEX idx_cvs_project ON cvs(project_id);
CREATE INDEX idx_jds_project ON job_descriptions(project_id);

-- Create Default Project for orphaned data
-- (the app binds new Date().toISOString(); strftime below gives the same format)
INSERT INTO projects (id, name, client_name, description, is_archived, created_at, updated_at)
VALUES (
  'default-project',
  'Default Project',
  NULL,
  'Auto-created for existing CVs and JDs',
  0,
  strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
  strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
);

-- Migrate existing CVs/JDs to Default Project
UPDATE cvs SET project_id = 'default-project' WHERE project_id IS NULL;
UPDATE job_descriptions SET project_id = 'default-project' WHERE project_id IS NULL;
