-- Samsara base schema: app_meta, cvs, job_descriptions, cv_jd_matches.
-- Corresponds to app user_version 0 (the unconditional base schema in
-- src/main/database.ts initDatabase, created before any user_version block).
-- schemavet: user_version 0

CREATE TABLE app_meta (
  key TEXT PRIMARY KEY,
  value TEXT
);

-- CV storage table
CREATE TABLE cvs (
  id TEXT PRIMARY KEY,
  file_path TEXT NOT NULL,
  file_name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- Contact fields with confidence
  contact_json TEXT NOT NULL,
  contact_confidence REAL NOT NULL,
  -- Structured data as JSON (for agent consumption)
  work_history_json TEXT,
  education_json TEXT,
  skills_json TEXT,
  certifications_json TEXT,
  languages_json TEXT,
  other_sections_json TEXT,
  -- Metadata
  raw_text TEXT,
  section_order_json TEXT,
  parse_confidence REAL NOT NULL,
  warnings_json TEXT,
  parse_time_ms INTEGER
);

-- JD (Job Description) storage table
CREATE TABLE job_descriptions (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  company TEXT,
  raw_text TEXT NOT NULL,
  required_skills_json TEXT,
  preferred_skills_json TEXT,
  experience_min INTEGER,
  experience_max INTEGER,
  education_level TEXT,
  certifications_json TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE cv_jd_matches (
  cv_id TEXT NOT NULL,
  jd_id TEXT NOT NULL,
  match_score INTEGER NOT NULL,
  matched_skills_json TEXT,
  missing_required_json TEXT,
  missing_preferred_json TEXT,
  calculated_at TEXT NOT NULL,
  PRIMARY KEY (cv_id, jd_id),
  FOREIGN KEY (cv_id) REFERENCES cvs(id) ON DELETE CASCADE,
  FOREIGN KEY (jd_id) REFERENCES job_descriptions(id) ON DELETE CASCADE
);

CREATE INDEX idx_matches_jd ON cv_jd_matches(jd_id);
CREATE INDEX idx_matches_score ON cv_jd_matches(jd_id, match_score DESC);
