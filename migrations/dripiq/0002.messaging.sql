-- Messaging: outbound messages (deduplicated per tenant) and their provider events, the raw
-- webhook deliveries, inbound replies, suppressions and send rate limits.
-- The (tenant_id, event_at DESC) index on message_events and the (provider,
-- provider_message_id) index on outbound_messages are built CONCURRENTLY in
-- 0004.concurrent-indexes; the first one also covers message_events.tenant_id's foreign key.
-- depends: 0001.identities-campaigns

CREATE TABLE dripiq_app.outbound_messages (
  id text PRIMARY KEY,
  tenant_id text NOT NULL
    CONSTRAINT outbound_messages_tenant_id_fkey
    REFERENCES dripiq_app.tenants (id) ON DELETE CASCADE,
  campaign_id text NOT NULL
    CONSTRAINT outbound_messages_campaign_id_fkey
    REFERENCES dripiq_app.contact_campaigns (id) ON DELETE CASCADE,
  contact_id text NOT NULL
    CONSTRAINT outbound_messages_contact_id_fkey
    REFERENCES dripiq_app.lead_point_of_contacts (id) ON DELETE CASCADE,
  channel text NOT NULL,
  sender_identity_id text
    CONSTRAINT outbound_messages_sender_identity_id_fkey
    REFERENCES dripiq_app.email_sender_identities (id) ON DELETE SET NULL,
  provider text,
  provider_message_id text,
  dedupe_key text NOT NULL,
  content jsonb,
  state text NOT NULL DEFAULT 'queued',
  scheduled_at timestamp with time zone,
  sent_at timestamp with time zone,
  error_at timestamp with time zone,
  retry_count integer NOT NULL DEFAULT 0,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT outbound_messages_tenant_dedupe_key_key UNIQUE (tenant_id, dedupe_key)
);

CREATE INDEX idx_outbound_messages_campaign_id ON dripiq_app.outbound_messages (campaign_id);
CREATE INDEX idx_outbound_messages_contact_id ON dripiq_app.outbound_messages (contact_id);
CREATE INDEX idx_outbound_messages_sender_identity_id ON dripiq_app.outbound_messages (sender_identity_id);

CREATE TABLE dripiq_app.message_events (
  id text PRIMARY KEY,
  tenant_id text NOT NULL
    CONSTRAINT message_events_tenant_id_fkey
    REFERENCES dripiq_app.tenants (id) ON DELETE CASCADE,
  message_id text NOT NULL
    CONSTRAINT message_events_message_id_fkey
    REFERENCES dripiq_app.outbound_messages (id) ON DELETE CASCADE,
  type text NOT NULL,
  event_at timestamp with time zone NOT NULL DEFAULT now(),
  data jsonb,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);

CREATE INDEX idx_message_events_message_id ON dripiq_app.message_events (message_id);

CREATE TABLE dripiq_app.webhook_deliveries (
  id text PRIMARY KEY,
  tenant_id text NOT NULL
    CONSTRAINT webhook_deliveries_tenant_id_fkey
    REFERENCES dripiq_app.tenants (id) ON DELETE CASCADE,
  provider text NOT NULL,
  event_type text NOT NULL,
  message_id text
    CONSTRAINT webhook_deliveries_message_id_fkey
    REFERENCES dripiq_app.outbound_messages (id) ON DELETE SET NULL,
  received_at timestamp with time zone NOT NULL DEFAULT now(),
  payload jsonb NOT NULL,
  signature text,
  status text NOT NULL DEFAULT 'received',
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);

CREATE INDEX idx_webhook_deliveries_tenant_id ON dripiq_app.webhook_deliveries (tenant_id);
CREATE INDEX idx_webhook_deliveries_message_id ON dripiq_app.webhook_deliveries (message_id);

CREATE TABLE dripiq_app.inbound_messages (
  id text PRIMARY KEY,
  tenant_id text NOT NULL
    CONSTRAINT inbound_messages_tenant_id_fkey
    REFERENCES dripiq_app.tenants (id) ON DELETE CASCADE,
  campaign_id text
    CONSTRAINT inbound_messages_campaign_id_fkey
    REFERENCES dripiq_app.contact_campaigns (id) ON DELETE SET NULL,
  contact_id text
    CONSTRAINT inbound_messages_contact_id_fkey
    REFERENCES dripiq_app.lead_point_of_contacts (id) ON DELETE SET NULL,
  channel text NOT NULL,
  provider_message_id text,
  received_at timestamp with time zone NOT NULL DEFAULT now(),
  subject text,
  body_text text,
  body_html text,
  raw jsonb,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);

CREATE INDEX idx_inbound_messages_tenant_id ON dripiq_app.inbound_messages (tenant_id);
CREATE INDEX idx_inbound_messages_campaign_id ON dripiq_app.inbound_messages (campaign_id);
CREATE INDEX idx_inbound_messages_contact_id ON dripiq_app.inbound_messages (contact_id);

CREATE TABLE dripiq_app.communication_suppressions (
  id text PRIMARY KEY,
  tenant_id text NOT NULL
    CONSTRAINT communication_suppressions_tenant_id_fkey
    REFERENCES dripiq_app.tenants (id) ON DELETE CASCADE,
  channel text NOT NULL,
  address text NOT NULL,
  reason text,
  suppressed_at timestamp with time zone NOT NULL DEFAULT now(),
  expires_at timestamp with time zone,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT communication_suppressions_tenant_channel_address_key UNIQUE (tenant_id, channel, address)
);

-- identity_id is NULL for a tenant-wide limit; the unique constraint treats NULLs as
-- distinct (PostgreSQL's default), so it keys the per-identity limits only.
CREATE TABLE dripiq_app.send_rate_limits (
  id text PRIMARY KEY,
  tenant_id text NOT NULL
    CONSTRAINT send_rate_limits_tenant_id_fkey
    REFERENCES dripiq_app.tenants (id) ON DELETE CASCADE,
  channel text NOT NULL,
  scope text NOT NULL DEFAULT 'tenant',
  identity_id text
    CONSTRAINT send_rate_limits_identity_id_fkey
    REFERENCES dripiq_app.email_sender_identities (id) ON DELETE SET NULL,
  window_seconds integer NOT NULL,
  max_sends integer NOT NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT send_rate_limits_tenant_channel_scope_identity_key UNIQUE (tenant_id, channel, scope, identity_id)
);

CREATE INDEX idx_send_rate_limits_identity_id ON dripiq_app.send_rate_limits (identity_id);
