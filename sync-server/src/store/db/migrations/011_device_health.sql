-- Device health over time (reported.health, shared/documents/health.ts), written when a device's
-- reported health changes. One row per device per interval (DEVICE_HEALTH_INTERVAL_SEC, default a
-- minute): `bucket` is the interval's start and part of the key, so a report within the same
-- interval updates that row (the newest health wins) instead of adding one. `ts` is the server's
-- receive time of the health the row holds; the device's own clock is in health->>'measuredAt'.
CREATE TABLE device_health (
  device_id uuid NOT NULL REFERENCES devices (id),
  bucket timestamptz NOT NULL,
  ts timestamptz NOT NULL,
  health jsonb NOT NULL,
  PRIMARY KEY (device_id, bucket)
);
-- Pruning by age across devices (DEVICE_HEALTH_RETENTION_DAYS).
CREATE INDEX device_health_bucket ON device_health (bucket);
