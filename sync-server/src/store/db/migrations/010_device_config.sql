-- Remote configuration (README "Remote configuration"): one config per device group and one per
-- device, each with a version that grows by one per change. A device gets its group's config
-- merged with its own; the version written into its document is the sum of the two versions.
CREATE TABLE group_configs (
  group_id uuid PRIMARY KEY REFERENCES device_groups (id),
  config jsonb NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE device_configs (
  device_id uuid PRIMARY KEY REFERENCES devices (id),
  config jsonb NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The configVersion last seen in the device's document after a write, so a sync tells in one query
-- whether the document lags behind (a crash mid-fan-out, a device enrolled later).
ALTER TABLE device_states ADD COLUMN desired_config_version integer;
