-- Rollback of 0003.contacts-validation (back to 0002.messaging).

DROP TABLE dripiq_app.contact_channels;
DROP TABLE dripiq_app.email_validation_results;
