-- transactional: false
-- The indexes of the high-volume tables, built without blocking writes. CREATE INDEX
-- CONCURRENTLY cannot run inside a transaction, hence the directive above: yoyo runs each
-- statement on its own in autocommit mode.
-- If a build fails, PostgreSQL leaves that index behind INVALID: drop it
-- (DROP INDEX CONCURRENTLY) before applying this migration again.
-- depends: 0003.contacts-validation

CREATE INDEX CONCURRENTLY idx_message_events_tenant_event_at
  ON dripiq_app.message_events (tenant_id, event_at DESC);

CREATE INDEX CONCURRENTLY idx_outbound_messages_provider_message_id
  ON dripiq_app.outbound_messages (provider, provider_message_id);

CREATE INDEX CONCURRENTLY idx_scheduled_actions_pending_run_at
  ON dripiq_app.scheduled_actions (status, run_at) WHERE status = 'pending';

CREATE INDEX CONCURRENTLY idx_contact_campaigns_plan_json
  ON dripiq_app.contact_campaigns USING gin (plan_json);
