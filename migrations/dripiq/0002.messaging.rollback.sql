-- Rollback of 0002.messaging (back to 0001.identities-campaigns). Dropping a table drops its
-- indexes and constraints.

DROP TABLE dripiq_app.send_rate_limits;
DROP TABLE dripiq_app.communication_suppressions;
DROP TABLE dripiq_app.inbound_messages;
DROP TABLE dripiq_app.webhook_deliveries;
DROP TABLE dripiq_app.message_events;
DROP TABLE dripiq_app.outbound_messages;
