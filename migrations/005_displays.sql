-- Core: kiosk displays, read-only wall screens opened by an unguessable URL, and the tokens they had before.

-- Up migration
CREATE TABLE displays (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name              text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
  pages             jsonb NOT NULL DEFAULT '[]'::jsonb,   -- module page paths, in the order they rotate
  rotate_seconds    integer NOT NULL CHECK (rotate_seconds BETWEEN 2 AND 3600),
  refresh_ms        integer NOT NULL CHECK (refresh_ms BETWEEN 100 AND 3600000),
  theme             text NOT NULL CHECK (theme IN ('light', 'dark', 'contrast')),
  filter_rack       text,
  filter_customer   text,
  token_hash        text UNIQUE,                          -- SHA-256 of the live URL token; null once revoked
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  revoked_at        timestamptz,
  last_contact_at   timestamptz,                          -- the display's last request
  last_good_at      timestamptz,                          -- its last request answered with content (or 304)
  last_status       integer,
  last_browser      text,                                 -- the User-Agent of that request
  last_address      text,
  session_client    text,                                 -- who started the last logged view (address, browser)
  session_logged_at timestamptz
);
CREATE UNIQUE INDEX displays_name_key ON displays (lower(name));

-- A rotated or revoked token: its display then says "display revoked" instead of a plain 404.
CREATE TABLE display_retired_tokens (
  token_hash text PRIMARY KEY,
  display_id uuid NOT NULL REFERENCES displays (id) ON DELETE CASCADE,
  retired_at timestamptz NOT NULL DEFAULT now(),
  reason     text NOT NULL CHECK (reason IN ('rotated', 'revoked'))
);
CREATE INDEX display_retired_tokens_display_idx ON display_retired_tokens (display_id);

-- Down migration
DROP TABLE display_retired_tokens;
DROP TABLE displays;
