-- Rollback of 0005.outreach (back to app user_version 4).

DROP INDEX idx_ats_mappings_project;
DROP INDEX idx_provider_credentials_project;
DROP INDEX idx_outreach_sequences_cv;
DROP INDEX idx_outreach_sequences_project;
DROP INDEX idx_outreach_templates_project;
DROP INDEX idx_transcripts_project;
DROP INDEX idx_transcripts_call;
DROP INDEX idx_call_records_cv;
DROP INDEX idx_call_records_project;
DROP INDEX idx_messages_cv;
DROP INDEX idx_messages_project;
DROP TABLE ats_mappings;
DROP TABLE provider_credentials;
DROP TABLE outreach_sequences;
DROP TABLE outreach_templates;
DROP TABLE transcripts;
DROP TABLE call_records;
DROP TABLE messages;
