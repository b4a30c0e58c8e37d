-- Drift events as the API serves them: one row per event a device appended to its document,
-- filled after each sync by the documents' receive listener (upsert, so a re-sent document is
-- harmless) and by the API's acknowledge / false-alarm / label actions. The document stays the
-- source of truth for the device; this table is what people query across the fleet, and it keeps
-- events the device has since compacted out of its document.
CREATE TABLE drift_events (
  device_id uuid NOT NULL REFERENCES devices (id),
  event_id text NOT NULL,
  ts timestamptz NOT NULL,
  kind text NOT NULL,
  -- NULL when the event is not a feature detector's.
  feature text,
  detector text,
  statistic double precision NOT NULL,
  -- What the device reported running when the event arrived (kept from the first sync that brought it).
  model_name text,
  model_version text,
  status text NOT NULL CHECK (status IN ('open', 'acknowledged', 'false_alarm')),
  label text,
  acknowledged_by text,
  acknowledged_at timestamptz,
  false_alarm_by text,
  false_alarm_at timestamptz,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, event_id)
);
-- Keyset paging, newest first: (ts, device_id, event_id) is the order and the page token.
CREATE INDEX drift_events_newest ON drift_events (ts DESC, device_id DESC, event_id DESC);
CREATE INDEX drift_events_device ON drift_events (device_id, ts DESC);
CREATE INDEX drift_events_model ON drift_events (model_name, model_version, ts DESC);

-- New events waiting to be POSTed to DRIFT_WEBHOOK_URL. A sender claims due rows with
-- FOR UPDATE SKIP LOCKED and leases them (next_attempt_at moves past the attempt's timeout), so
-- several instances share the work and a crash mid-delivery only delays the row; delivered rows
-- are deleted, rows out of attempts keep gave_up_at and their last error for people to look at.
CREATE TABLE drift_webhook_outbox (
  id bigserial PRIMARY KEY,
  device_id uuid NOT NULL,
  event_id text NOT NULL,
  body text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  gave_up_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (device_id, event_id)
);
CREATE INDEX drift_webhook_outbox_due ON drift_webhook_outbox (next_attempt_at) WHERE gave_up_at IS NULL;
