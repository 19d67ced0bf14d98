-- Core: notification channels configured by administrators, and every delivery attempt.

-- Up migration
CREATE TABLE notification_channels (
  id         uuid PRIMARY KEY,
  name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  type       text NOT NULL CHECK (type IN ('email', 'webhook', 'slack')),
  enabled    boolean NOT NULL DEFAULT true,
  config     jsonb NOT NULL DEFAULT '{}'::jsonb,  -- settings that are not secret
  secrets    text,                                -- secret settings as sealed JSON (AES-256-GCM, bound to the id)
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX notification_channels_name_key ON notification_channels (lower(name));

CREATE TABLE notification_deliveries (
  id              bigserial PRIMARY KEY,
  channel_id      uuid REFERENCES notification_channels (id) ON DELETE SET NULL,
  channel_name    text NOT NULL,
  channel_type    text NOT NULL,
  source          text NOT NULL,                  -- 'core', a module name, or 'settings' for a test message
  title           text NOT NULL,
  severity        text NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
  attempt         integer NOT NULL CHECK (attempt >= 1),
  status          text NOT NULL CHECK (status IN ('delivered', 'failed')),
  response_status integer,
  error           text,
  duration_ms     integer NOT NULL,
  attempted_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_deliveries_attempted_at_idx ON notification_deliveries (attempted_at DESC);
CREATE INDEX notification_deliveries_channel_idx ON notification_deliveries (channel_id, attempted_at DESC);

-- Down migration
DROP TABLE notification_deliveries;
DROP TABLE notification_channels;
