-- Up migration
-- Closed months (docs/billing.md, "Closing a month"): a month's statement, frozen when it was issued. The range is
-- kept as it was cut (the zone may change later); `changed` says the ledger changed inside the month since it was
-- closed or since its difference was last carried, so only such months are summed again.
CREATE TABLE cm_month_close (
  month text PRIMARY KEY CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
  time_zone text NOT NULL,
  from_at timestamptz NOT NULL,
  to_at timestamptz NOT NULL,
  currency text,
  closed_at timestamptz NOT NULL DEFAULT now(),
  closed_by text,
  changed boolean NOT NULL DEFAULT false
);
CREATE INDEX cm_month_close_range_idx ON cm_month_close (to_at, from_at);

-- The lines issued with a closed month, one per endpoint, as the summary showed them. No foreign key to the
-- endpoint: an issued line outlives its endpoint.
CREATE TABLE cm_statement_line (
  month text NOT NULL REFERENCES cm_month_close (month) ON DELETE CASCADE,
  endpoint_id uuid NOT NULL,
  name text NOT NULL,
  customer text,
  rack text,
  milliwatt_hours bigint NOT NULL,
  adjustment_milliwatt_hours bigint NOT NULL DEFAULT 0,
  start_kwh double precision,
  end_kwh double precision,
  resets integer NOT NULL,
  coverage_pct double precision NOT NULL,
  estimated boolean NOT NULL,
  price_per_kwh numeric,
  cost_cents bigint,
  CONSTRAINT cm_statement_line_pkey PRIMARY KEY (month, endpoint_id)
);

-- Energy of a closed month found after it was closed, carried onto a later month's issued statement.
CREATE TABLE cm_adjustment_carry (
  from_month text NOT NULL REFERENCES cm_month_close (month) ON DELETE CASCADE,
  into_month text NOT NULL REFERENCES cm_month_close (month) ON DELETE CASCADE,
  endpoint_id uuid NOT NULL,
  milliwatt_hours bigint NOT NULL,
  CONSTRAINT cm_adjustment_carry_pkey PRIMARY KEY (from_month, into_month, endpoint_id)
);

-- A customer's own price per kWh, overriding the `pricePerKwh` setting.
CREATE TABLE cm_tariff (
  customer text PRIMARY KEY,
  price_per_kwh numeric NOT NULL CHECK (price_per_kwh >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down migration
DROP TABLE cm_tariff;
DROP TABLE cm_adjustment_carry;
DROP TABLE cm_statement_line;
DROP TABLE cm_month_close;
