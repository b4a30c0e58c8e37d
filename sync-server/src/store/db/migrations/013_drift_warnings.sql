-- Drift warnings apart from drift alarms (README "Drift alarms and warnings"). Until now
-- drift_alarms counted every record with any flag, warnings included. From here on it counts
-- records with a drift bit (flags & 15) and drift_warnings records with a warning bit
-- (flags & 240), as shared/drift/flags.ts defines them; a record with both counts in both.
ALTER TABLE inference_hourly ADD COLUMN drift_warnings bigint NOT NULL DEFAULT 0;

-- Past hours are recounted from the stored records (never deleted, see 008), bucketed exactly as
-- ingest buckets them: whole UTC hours of the record's timestamp. One pass over the records.
UPDATE inference_hourly AS h
SET drift_alarms = r.alarms, drift_warnings = r.warnings
FROM (
  SELECT device_id, model_name, model_version,
         to_timestamp(floor(extract(epoch FROM ts) / 3600) * 3600) AS hour,
         count(*) FILTER (WHERE drift & 15 <> 0) AS alarms,
         count(*) FILTER (WHERE drift & 240 <> 0) AS warnings
  FROM inference_records
  WHERE drift <> 0
  GROUP BY 1, 2, 3, 4
) AS r
WHERE h.device_id = r.device_id AND h.model_name = r.model_name AND h.model_version = r.model_version AND h.hour = r.hour;
