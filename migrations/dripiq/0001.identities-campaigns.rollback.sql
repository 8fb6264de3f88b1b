-- Rollback of 0001.identities-campaigns (back to 0000.base). Dropping a table drops its
-- indexes and constraints.

DROP TABLE dripiq_app.scheduled_actions;
DROP TABLE dripiq_app.campaign_transitions;
DROP TABLE dripiq_app.campaign_plan_versions;
DROP TABLE dripiq_app.contact_campaigns;
DROP TABLE dripiq_app.email_sender_identities;
