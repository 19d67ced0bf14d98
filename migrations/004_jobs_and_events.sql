-- Core: jobs (paused state, config saved from the Jobs page), executions with their log lines, events, and the
-- notification rules that turn events into messages.

-- Up migration
CREATE TABLE job_states (
  module_name text NOT NULL,
  job_name    text NOT NULL,
  paused      boolean NOT NULL DEFAULT false,
  config      jsonb NOT NULL DEFAULT '{}'::jsonb,   -- values saved from the Jobs page, by config key
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text,
  PRIMARY KEY (module_name, job_name)
);

CREATE TABLE executions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  module_name   text NOT NULL,
  job_name      text NOT NULL,
  trigger       text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'retry')),
  attempt       integer NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  retry_of      uuid REFERENCES executions (id) ON DELETE SET NULL,   -- the attempt this one repeats
  status        text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled')),
  scheduled_for timestamptz,                     -- the cron occurrence of a scheduled run: its exactly-once key
  input         jsonb,                           -- data given to a manual run
  triggered_by  text NOT NULL,                   -- a user name, 'schedule' or 'retry'
  runner        text NOT NULL,                   -- the NxForge process that queued and runs it
  queued_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at    timestamptz,
  finished_at   timestamptz,
  duration_ms   integer,
  result        jsonb,
  error         text,
  error_code    text,
  error_stack   text,
  screenshots   jsonb NOT NULL DEFAULT '[]'::jsonb,   -- [{path, name, at}] in the module's storage folder
  log_lines     integer NOT NULL DEFAULT 0
);
-- One row per cron occurrence, whichever process claims it first: this is what makes a scheduled run fire once.
CREATE UNIQUE INDEX executions_scheduled_once ON executions (module_name, job_name, scheduled_for)
  WHERE trigger = 'schedule';
CREATE INDEX executions_queued_at_idx ON executions (queued_at DESC, id DESC);
CREATE INDEX executions_job_idx ON executions (module_name, job_name, queued_at DESC, id DESC);
CREATE INDEX executions_unfinished_idx ON executions (module_name, job_name) WHERE status IN ('queued', 'running');

CREATE TABLE execution_logs (
  execution_id uuid NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
  seq          integer NOT NULL,                 -- order in which the job logged the lines
  at           timestamptz NOT NULL,
  level        text NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  message      text NOT NULL,
  fields       jsonb,
  PRIMARY KEY (execution_id, seq)
);

CREATE TABLE events (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL,
  source      text NOT NULL,
  severity    text NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
  subject     text NOT NULL,                     -- what it is about (a job, an endpoint): the quiet-period key
  payload     jsonb,
  occurred_at timestamptz NOT NULL
);
CREATE INDEX events_occurred_at_idx ON events (occurred_at DESC, id DESC);
CREATE INDEX events_name_idx ON events (name, id DESC);
CREATE INDEX events_source_idx ON events (source, id DESC);
CREATE INDEX events_execution_idx ON events ((payload->>'executionId'));

CREATE TABLE notification_rules (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  event_pattern text NOT NULL,                   -- an event name, or a prefix ending in * (job.*, *)
  min_severity  text NOT NULL CHECK (min_severity IN ('info', 'warning', 'error', 'critical')),
  quiet_seconds integer NOT NULL DEFAULT 0 CHECK (quiet_seconds >= 0),
  enabled       boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX notification_rules_name_key ON notification_rules (lower(name));

CREATE TABLE notification_rule_channels (
  rule_id    uuid NOT NULL REFERENCES notification_rules (id) ON DELETE CASCADE,
  channel_id uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
  PRIMARY KEY (rule_id, channel_id)
);

-- When a rule last notified about a subject, and how many events it held back since: the quiet period.
CREATE TABLE notification_rule_firings (
  rule_id      uuid NOT NULL REFERENCES notification_rules (id) ON DELETE CASCADE,
  subject      text NOT NULL,
  last_sent_at timestamptz NOT NULL,
  suppressed   integer NOT NULL DEFAULT 0,
  PRIMARY KEY (rule_id, subject)
);

-- Down migration
DROP TABLE notification_rule_firings;
DROP TABLE notification_rule_channels;
DROP TABLE notification_rules;
DROP TABLE events;
DROP TABLE execution_logs;
DROP TABLE executions;
DROP TABLE job_states;
