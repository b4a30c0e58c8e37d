-- The model inputs of tabular records (when the device logs them), so the console can set the
-- distribution devices actually see against the reference profile's, feature by feature.
-- NULL for records without inputs and for wide inputs (images): those stay in the batch blob.
ALTER TABLE inference_records ADD COLUMN features real[];
