-- Campaigns: the sender identities email goes out from, one campaign per contact and channel
-- (its plan a JSON graph, versioned), its status transitions and the actions scheduled for it.
-- The GIN index on contact_campaigns.plan_json and the partial index on pending scheduled
-- actions are built CONCURRENTLY in 0004.concurrent-indexes.
-- depends: 0000.base

CREATE TABLE dripiq_app.email_sender_identities (
  id text PRIMARY KEY,
  tenant_id text NOT NULL
    CONSTRAINT email_sender_identities_tenant_id_fkey
    REFERENCES dripiq_app.tenants (id) ON DELETE CASCADE,
  user_id text NOT NULL
    CONSTRAINT email_sender_identities_user_id_fkey
    REFERENCES dripiq_app.users (id) ON DELETE CASCADE,
  from_email text NOT NULL,
  from_name text NOT NULL,
  domain text NOT NULL,
  sendgrid_sender_id text,
  validation_status text NOT NULL DEFAULT 'pending',
  last_validated_at timestamp with time zone,
  dedicated_ip_pool text,
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT email_sender_identities_tenant_from_email_key UNIQUE (tenant_id, from_email)
);

CREATE INDEX idx_email_sender_identities_user_id ON dripiq_app.email_sender_identities (user_id);

CREATE TABLE dripiq_app.contact_campaigns (
  id text PRIMARY KEY,
  tenant_id text NOT NULL
    CONSTRAINT contact_campaigns_tenant_id_fkey
    REFERENCES dripiq_app.tenants (id) ON DELETE CASCADE,
  lead_id text NOT NULL
    CONSTRAINT contact_campaigns_lead_id_fkey
    REFERENCES dripiq_app.leads (id) ON DELETE CASCADE,
  contact_id text NOT NULL
    CONSTRAINT contact_campaigns_contact_id_fkey
    REFERENCES dripiq_app.lead_point_of_contacts (id) ON DELETE CASCADE,
  channel text NOT NULL,
  status text NOT NULL DEFAULT 'draft',
  current_node_id text,
  plan_json jsonb NOT NULL,
  plan_version text NOT NULL DEFAULT '1.0',
  plan_hash text NOT NULL,
  sender_identity_id text
    CONSTRAINT contact_campaigns_sender_identity_id_fkey
    REFERENCES dripiq_app.email_sender_identities (id) ON DELETE SET NULL,
  started_at timestamp with time zone,
  completed_at timestamp with time zone,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT contact_campaigns_tenant_contact_channel_key UNIQUE (tenant_id, contact_id, channel)
);

CREATE INDEX idx_contact_campaigns_tenant_status ON dripiq_app.contact_campaigns (tenant_id, status);
CREATE INDEX idx_contact_campaigns_lead_id ON dripiq_app.contact_campaigns (lead_id);
CREATE INDEX idx_contact_campaigns_contact_id ON dripiq_app.contact_campaigns (contact_id);
CREATE INDEX idx_contact_campaigns_sender_identity_id ON dripiq_app.contact_campaigns (sender_identity_id);

CREATE TABLE dripiq_app.campaign_plan_versions (
  id text PRIMARY KEY,
  tenant_id text NOT NULL
    CONSTRAINT campaign_plan_versions_tenant_id_fkey
    REFERENCES dripiq_app.tenants (id) ON DELETE CASCADE,
  campaign_id text NOT NULL
    CONSTRAINT campaign_plan_versions_campaign_id_fkey
    REFERENCES dripiq_app.contact_campaigns (id) ON DELETE CASCADE,
  version text NOT NULL,
  plan_json jsonb NOT NULL,
  plan_hash text NOT NULL,
  created_by text
    CONSTRAINT campaign_plan_versions_created_by_fkey
    REFERENCES dripiq_app.users (id) ON DELETE SET NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT campaign_plan_versions_campaign_version_key UNIQUE (campaign_id, version)
);

CREATE INDEX idx_campaign_plan_versions_tenant_id ON dripiq_app.campaign_plan_versions (tenant_id);
CREATE INDEX idx_campaign_plan_versions_created_by ON dripiq_app.campaign_plan_versions (created_by);

CREATE TABLE dripiq_app.campaign_transitions (
  id text PRIMARY KEY,
  tenant_id text NOT NULL
    CONSTRAINT campaign_transitions_tenant_id_fkey
    REFERENCES dripiq_app.tenants (id) ON DELETE CASCADE,
  campaign_id text NOT NULL
    CONSTRAINT campaign_transitions_campaign_id_fkey
    REFERENCES dripiq_app.contact_campaigns (id) ON DELETE CASCADE,
  from_status text,
  to_status text NOT NULL,
  reason text,
  created_by text
    CONSTRAINT campaign_transitions_created_by_fkey
    REFERENCES dripiq_app.users (id) ON DELETE SET NULL,
  occurred_at timestamp with time zone NOT NULL DEFAULT now(),
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);

CREATE INDEX idx_campaign_transitions_campaign_occurred_at
  ON dripiq_app.campaign_transitions (campaign_id, occurred_at);
CREATE INDEX idx_campaign_transitions_tenant_id ON dripiq_app.campaign_transitions (tenant_id);
CREATE INDEX idx_campaign_transitions_created_by ON dripiq_app.campaign_transitions (created_by);

CREATE TABLE dripiq_app.scheduled_actions (
  id text PRIMARY KEY,
  tenant_id text NOT NULL
    CONSTRAINT scheduled_actions_tenant_id_fkey
    REFERENCES dripiq_app.tenants (id) ON DELETE CASCADE,
  campaign_id text NOT NULL
    CONSTRAINT scheduled_actions_campaign_id_fkey
    REFERENCES dripiq_app.contact_campaigns (id) ON DELETE CASCADE,
  action_type text NOT NULL,
  run_at timestamp with time zone NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  payload jsonb,
  attempt_count integer NOT NULL DEFAULT 0,
  last_error text,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now()
);

CREATE INDEX idx_scheduled_actions_tenant_id ON dripiq_app.scheduled_actions (tenant_id);
CREATE INDEX idx_scheduled_actions_campaign_id ON dripiq_app.scheduled_actions (campaign_id);
