-- Usage tracking (usage_events, usage_daily + rollup trigger) and project pinning.
-- Corresponds to app user_version 3 ("usage tracking + pinning").
-- depends: 0002.cv-queue
-- schemavet: user_version 3

CREATE TABLE usage_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  total_tokens INTEGER NOT NULL DEFAULT 0,
  llm_mode TEXT NOT NULL,
  model TEXT,
  created_at TEXT NOT NULL,
  FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE
);

CREATE TABLE usage_daily (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id TEXT NOT NULL,
  date TEXT NOT NULL,
  total_tokens INTEGER DEFAULT 0,
  request_count INTEGER DEFAULT 0,
  UNIQUE(project_id, date),
  FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE
);

-- Roll each usage event up into usage_daily
CREATE TRIGGER update_daily_usage
AFTER INSERT ON usage_events
BEGIN
  INSERT INTO usage_daily (project_id, date, total_tokens, request_count)
  VALUES (NEW.project_id, DATE(NEW.created_at), NEW.total_tokens, 1)
  ON CONFLICT(project_id, date) DO UPDATE SET
    total_tokens = total_tokens + NEW.total_tokens,
    request_count = request_count + 1;
END;

CREATE INDEX idx_usage_events_project ON usage_events(project_id);
CREATE INDEX idx_usage_daily_project_date ON usage_daily(project_id, date);

-- Project pinning
ALTER TABLE projects ADD COLUMN is_pinned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN pin_order INTEGER NOT NULL DEFAULT 0;
