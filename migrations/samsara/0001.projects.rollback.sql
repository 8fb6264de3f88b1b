-- Rollback of 0001.projects (back to app user_version 0).
-- The Default Project row and the project_id assignments go away with the
-- dropped table/columns.

DROP INDEX idx_jds_project;
DROP INDEX idx_cvs_project;
ALTER TABLE job_descriptions DROP COLUMN project_id;
ALTER TABLE cvs DROP COLUMN project_id;
DROP TABLE projects;
