-- Core: the module registry, each module's migrations, settings and log.

-- Up migration
CREATE TABLE modules (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL UNIQUE,
  version     text NOT NULL,
  status      text NOT NULL CHECK (status IN ('UPLOADING', 'VALIDATING', 'INSTALLING', 'INSTALLED', 'ENABLED',
                                             'INVALID', 'DISABLED', 'UNINSTALLING', 'REMOVED')),
  enabled     boolean NOT NULL DEFAULT false,
  source      text NOT NULL CHECK (source IN ('bundled', 'installed')),
  directory   text NOT NULL,
  manifest    jsonb,
  error       text,
  error_details jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE module_migrations (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  module_name    text NOT NULL,
  migration_name text NOT NULL,
  applied_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (module_name, migration_name)
);

CREATE TABLE module_settings (
  module_name text NOT NULL,
  key         text NOT NULL,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text,
  PRIMARY KEY (module_name, key)
);

-- Lifecycle transitions (kind 'lifecycle', with actor and reason) and the module's own log lines (kind 'log').
CREATE TABLE module_logs (
  id          bigserial PRIMARY KEY,
  module_name text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  kind        text NOT NULL CHECK (kind IN ('lifecycle', 'log')),
  level       text NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  message     text NOT NULL,
  actor       text,
  fields      jsonb
);
CREATE INDEX module_logs_module_idx ON module_logs (module_name, at DESC, id DESC);

-- Down migration
DROP TABLE module_logs;
DROP TABLE module_settings;
DROP TABLE module_migrations;
DROP TABLE modules;
