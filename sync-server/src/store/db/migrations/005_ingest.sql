-- Log batches uploaded by devices. batch_id is the idempotency key: a batch sent twice (a lost
-- acknowledgement, a retry racing the first attempt) is one row, so its records are stored once.
CREATE TABLE log_batches (
  batch_id text PRIMARY KEY,
  device_id uuid NOT NULL REFERENCES devices (id),
  sha256 text NOT NULL,
  size bigint NOT NULL,
  records integer NOT NULL,
  blob_key text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX log_batches_device ON log_batches (device_id, received_at);

-- One row per record; seq is its line in the batch's records.jsonl.
CREATE TABLE inference_records (
  device_id uuid NOT NULL REFERENCES devices (id),
  batch_id text NOT NULL REFERENCES log_batches (batch_id),
  seq integer NOT NULL,
  ts timestamptz NOT NULL,
  model_name text NOT NULL,
  model_version integer NOT NULL,
  latency_ms float8 NOT NULL,
  confidence float8,
  label text,
  drift integer NOT NULL DEFAULT 0,
  PRIMARY KEY (batch_id, seq)
);
CREATE INDEX inference_records_device_ts ON inference_records (device_id, ts);

-- Per-hour rollups kept in the same transaction as the rows, so fleet metrics never scan records.
-- classes maps a label to its count.
CREATE TABLE inference_hourly (
  device_id uuid NOT NULL REFERENCES devices (id),
  model_name text NOT NULL,
  model_version integer NOT NULL,
  hour timestamptz NOT NULL,
  count bigint NOT NULL,
  latency_sum float8 NOT NULL,
  confidence_sum float8 NOT NULL,
  drift_alarms bigint NOT NULL,
  classes jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (device_id, model_name, model_version, hour)
);
