-- Rollback of 0000.base (back to an empty database). Dropping a table drops its indexes.

DROP TABLE dripiq_app.lead_point_of_contacts;
DROP TABLE dripiq_app.leads;
DROP TABLE dripiq_app.users;
DROP TABLE dripiq_app.tenants;
DROP SCHEMA dripiq_app;
