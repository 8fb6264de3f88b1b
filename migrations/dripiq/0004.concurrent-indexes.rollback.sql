-- Rollback of 0004.concurrent-indexes (back to 0003.contacts-validation). yoyo runs it as it
-- runs the migration, outside a transaction (DROP INDEX CONCURRENTLY needs that).
-- In reverse order of creation: yoyo pairs the Nth statement of the migration with the Nth
-- statement from the end of this file, and, when a statement of a non-transactional
-- migration fails, runs the pairs of the statements already done to undo them.

DROP INDEX CONCURRENTLY dripiq_app.idx_contact_campaigns_plan_json;
DROP INDEX CONCURRENTLY dripiq_app.idx_scheduled_actions_pending_run_at;
DROP INDEX CONCURRENTLY dripiq_app.idx_outbound_messages_provider_message_id;
DROP INDEX CONCURRENTLY dripiq_app.idx_message_events_tenant_event_at;
