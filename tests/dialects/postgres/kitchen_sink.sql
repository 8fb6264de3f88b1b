-- One of everything the PostgreSQL inspector reads, in two schemas, with names that need quotes.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE SCHEMA app;
CREATE SCHEMA "Odd Schema";
CREATE TYPE app.status AS ENUM ('new', 'it''s "done"', 'ünïcødé');
CREATE DOMAIN app.email AS text COLLATE "C" NOT NULL CHECK (VALUE LIKE '%@%');
CREATE SEQUENCE app.ticket AS integer INCREMENT BY 5 MAXVALUE 1000000 CYCLE;

CREATE TABLE app.tenants (id text PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE app.users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES app.tenants ON DELETE CASCADE,
  email app.email,
  "Display Name" varchar(80) COLLATE "C",
  status app.status NOT NULL DEFAULT 'new',
  score numeric(6, 2) DEFAULT 0 CHECK (score >= 0),
  handle text GENERATED ALWAYS AS (lower(email)) STORED,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (tenant_id, email)
);
CREATE INDEX users_lower_name ON app.users (lower("Display Name") text_pattern_ops) WHERE status <> 'new';
CREATE INDEX users_trgm ON app.users USING gin (email gin_trgm_ops);
CREATE INDEX users_cover ON app.users (tenant_id, created_at DESC) INCLUDE (score);

CREATE TABLE "Odd Schema"."Mixed Case" (
  "select" int,
  "quote""d" text,
  "ünïcødé" text DEFAULT 'ÿ',
  serial_id serial,
  CONSTRAINT "pk ""odd""" PRIMARY KEY ("select"),
  CONSTRAINT "to users" FOREIGN KEY ("select") REFERENCES app.users (id) MATCH FULL ON UPDATE RESTRICT
    DEFERRABLE INITIALLY DEFERRED
);
ALTER TABLE "Odd Schema"."Mixed Case" ADD CONSTRAINT later CHECK ("select" > 0) NOT VALID;

CREATE TABLE app.events (id bigint, at date NOT NULL, body jsonb) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE UNLOGGED TABLE app.cache (k text PRIMARY KEY, v bytea);
CREATE TABLE app.rooms (r tstzrange, EXCLUDE USING gist (r WITH &&));

CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE ON app.users FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION app.touch();

ALTER TABLE app.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_rows ON app.users USING (tenant_id = current_setting('app.tenant', true));

CREATE VIEW app.active AS SELECT id, email FROM app.users WHERE status <> 'new';
CREATE MATERIALIZED VIEW app.counts AS SELECT tenant_id, count(*) AS n FROM app.users GROUP BY tenant_id;
CREATE UNIQUE INDEX counts_tenant ON app.counts (tenant_id);
