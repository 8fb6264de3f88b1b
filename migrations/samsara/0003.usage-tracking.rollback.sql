-- Rollback of 0003.usage-tracking (back to app user_version 2).

ALTER TABLE projects DROP COLUMN pin_order;
ALTER TABLE projects DROP COLUMN is_pinned;
DROP INDEX idx_usage_daily_project_date;
DROP INDEX idx_usage_events_project;
DROP TRIGGER update_daily_usage;
DROP TABLE usage_daily;
DROP TABLE usage_events;
