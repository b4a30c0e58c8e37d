-- Ingest speed: the per-row foreign-key checks on inference_records cost more than the inserts
-- themselves (two trigger calls per record, ~60% of a 500-record batch's insert). Both links are
-- kept by construction instead: records are written only by ingest, in the transaction that
-- claims their log_batches row, which itself references devices; neither table is ever deleted from.
ALTER TABLE inference_records DROP CONSTRAINT IF EXISTS inference_records_device_id_fkey;
ALTER TABLE inference_records DROP CONSTRAINT IF EXISTS inference_records_batch_id_fkey;
