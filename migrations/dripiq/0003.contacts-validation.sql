-- Contact channels (an address or number per contact and channel type) and the email
-- validation results a channel may point to.
-- depends: 0002.messaging

CREATE TABLE dripiq_app.email_validation_results (
  id text PRIMARY KEY,
  tenant_id text NOT NULL
    CONSTRAINT email_validation_results_tenant_id_fkey
    REFERENCES dripiq_app.tenants (id) ON DELETE CASCADE,
  email text NOT NULL,
  is_valid boolean,
  score numeric,
  status text,
  source text,
  checked_at timestamp with time zone NOT NULL DEFAULT now(),
  raw jsonb,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT email_validation_results_tenant_email_key UNIQUE (tenant_id, email)
);

CREATE TABLE dripiq_app.contact_channels (
  id text PRIMARY KEY,
  tenant_id text NOT NULL
    CONSTRAINT contact_channels_tenant_id_fkey
    REFERENCES dripiq_app.tenants (id) ON DELETE CASCADE,
  contact_id text NOT NULL
    CONSTRAINT contact_channels_contact_id_fkey
    REFERENCES dripiq_app.lead_point_of_contacts (id) ON DELETE CASCADE,
  type text NOT NULL,
  value text NOT NULL,
  is_primary boolean NOT NULL DEFAULT false,
  is_verified boolean NOT NULL DEFAULT false,
  verification_status text NOT NULL DEFAULT 'unverified',
  verified_at timestamp with time zone,
  validation_result_id text
    CONSTRAINT contact_channels_validation_result_id_fkey
    REFERENCES dripiq_app.email_validation_results (id) ON DELETE SET NULL,
  created_at timestamp with time zone NOT NULL DEFAULT now(),
  updated_at timestamp with time zone NOT NULL DEFAULT now(),
  CONSTRAINT contact_channels_tenant_contact_type_value_key UNIQUE (tenant_id, contact_id, type, value)
);

CREATE INDEX idx_contact_channels_contact_id ON dripiq_app.contact_channels (contact_id);
CREATE INDEX idx_contact_channels_validation_result_id ON dripiq_app.contact_channels (validation_result_id);
