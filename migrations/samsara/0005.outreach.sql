-- M2 outreach tables: messages, call_records, transcripts, outreach_templates,
-- outreach_sequences, provider_credentials, ats_mappings (+ 11 indexes).
-- Corresponds to app user_version 5 ("M2 outreach tables").
-- depends: 0004.matching-metadata
-- schemavet: user_version 5

-- Messages (SMS + email)
CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  cv_id TEXT,
  type TEXT NOT NULL,
  direction TEXT NOT NULL,
  status TEXT NOT NULL,
  from_address TEXT,
  to_address TEXT NOT NULL,
  subject TEXT,
  body TEXT NOT NULL,
  template_id TEXT,
  provider_message_id TEXT,
  error_message TEXT,
  sent_at TEXT,
  delivered_at TEXT,
  created_at TEXT NOT NULL,
  FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE,
  FOREIGN KEY (cv_id) REFERENCES cvs(id) ON DELETE SET NULL
);

-- Call records
CREATE TABLE call_records (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  cv_id TEXT,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  provider_call_id TEXT,
  phone_number TEXT NOT NULL,
  duration_seconds INTEGER,
  screening_outcome TEXT,
  screening_confidence REAL,
  recording_path TEXT,
  started_at TEXT,
  ended_at TEXT,
  created_at TEXT NOT NULL,
  FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE,
  FOREIGN KEY (cv_id) REFERENCES cvs(id) ON DELETE SET NULL
);

-- Transcripts
CREATE TABLE transcripts (
  id TEXT PRIMARY KEY,
  call_id TEXT NOT NULL,
  project_id TEXT NOT NULL,
  raw_text TEXT NOT NULL,
  segments_json TEXT,
  summary TEXT,
  created_at TEXT NOT NULL,
  FOREIGN KEY (call_id) REFERENCES call_records(id) ON DELETE CASCADE,
  FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE
);

-- Outreach templates
CREATE TABLE outreach_templates (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  subject TEXT,
  body TEXT NOT NULL,
  variables_json TEXT,
  is_default INTEGER DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE
);

-- Outreach sequences
CREATE TABLE outreach_sequences (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  cv_id TEXT NOT NULL,
  status TEXT NOT NULL,
  current_step INTEGER DEFAULT 0,
  steps_json TEXT NOT NULL,
  started_at TEXT,
  completed_at TEXT,
  created_at TEXT NOT NULL,
  FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE,
  FOREIGN KEY (cv_id) REFERENCES cvs(id) ON DELETE CASCADE
);

-- Provider credentials (encrypted via safeStorage)
CREATE TABLE provider_credentials (
  id TEXT PRIMARY KEY,
  project_id TEXT,
  provider TEXT NOT NULL,
  credential_type TEXT NOT NULL,
  encrypted_value TEXT NOT NULL,
  label TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE
);

-- ATS field mappings
CREATE TABLE ats_mappings (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL,
  ats_vendor TEXT NOT NULL,
  mapping_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE
);

-- Indexes for common queries
CREATE INDEX idx_messages_project ON messages(project_id);
CREATE INDEX idx_messages_cv ON messages(cv_id);
CREATE INDEX idx_call_records_project ON call_records(project_id);
CREATE INDEX idx_call_records_cv ON call_records(cv_id);
CREATE INDEX idx_transcripts_call ON transcripts(call_id);
CREATE INDEX idx_transcripts_project ON transcripts(project_id);
CREATE INDEX idx_outreach_templates_project ON outreach_templates(project_id);
CREATE INDEX idx_outreach_sequences_project ON outreach_sequences(project_id);
CREATE INDEX idx_outreach_sequences_cv ON outreach_sequences(cv_id);
CREATE INDEX idx_provider_credentials_project ON provider_credentials(project_id);
CREATE INDEX idx_ats_mappings_project ON ats_mappings(project_id);
