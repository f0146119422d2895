-- The message history of arqonbus-mini: one row per published message, owned by a tenant.
-- Row-level security keeps tenants apart: the service runs as arqonbus_app and sets
-- app.tenant for each transaction; a row is visible and writable only to its tenant.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'arqonbus_app') THEN
    CREATE ROLE arqonbus_app NOLOGIN;
  END IF;
END
$$;

CREATE TABLE messages (
  seq            bigserial   PRIMARY KEY,
  tenant         text        NOT NULL,
  id             text        NOT NULL,
  room           text        NOT NULL,
  channel        text        NOT NULL,
  producer       text        NOT NULL,
  origin         text        NOT NULL,
  correlation_id text        NOT NULL DEFAULT '',
  payload        bytea       NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant, id)
);

CREATE INDEX messages_topic ON messages (tenant, room, channel, seq);

ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages FORCE ROW LEVEL SECURITY;

CREATE POLICY messages_tenant ON messages
  USING (tenant = current_setting('app.tenant', true))
  WITH CHECK (tenant = current_setting('app.tenant', true));

GRANT SELECT, INSERT ON messages TO arqonbus_app;
GRANT USAGE ON SEQUENCE messages_seq_seq TO arqonbus_app;
