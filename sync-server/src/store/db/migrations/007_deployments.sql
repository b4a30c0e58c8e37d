-- Deployments of a model version to a device group. The newest deployment of a group that is not
-- 'superseded' is the group's current one; creating a deployment supersedes the others in the same
-- transaction, and the partial unique index makes two racing creations fail instead of both winning.
CREATE TABLE deployments (
  id uuid PRIMARY KEY,
  group_id uuid NOT NULL REFERENCES device_groups (id),
  model_name text NOT NULL,
  model_version integer NOT NULL,
  sha256 text NOT NULL,
  alias text,
  canary_percent integer NOT NULL CHECK (canary_percent BETWEEN 1 AND 100),
  -- Chosen once, at creation, by ranking the group's devices on a hash of (deployment, device):
  -- stable across restarts and instances, and a fresh sample for every deployment.
  canary_devices uuid[] NOT NULL DEFAULT '{}',
  gates jsonb,
  status text NOT NULL CHECK (status IN ('canary', 'paused', 'active', 'rolled_back', 'superseded')),
  previous_name text,
  previous_version integer,
  previous_sha256 text,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deployments_group ON deployments (group_id, created_at DESC);
CREATE UNIQUE INDEX deployments_current ON deployments (group_id) WHERE status <> 'superseded';

-- The audit trail: every creation, promotion, pause, rollback and gate decision, who and why.
CREATE TABLE deployment_events (
  id bigserial PRIMARY KEY,
  deployment_id uuid NOT NULL REFERENCES deployments (id),
  action text NOT NULL,
  actor text NOT NULL,
  reason text,
  details jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deployment_events_deployment ON deployment_events (deployment_id, id);

-- Per device: the model last written into its document's `desired` (so a sync can tell in one
-- query whether its document needs an update) and what it last reported running.
CREATE TABLE device_states (
  device_id uuid PRIMARY KEY REFERENCES devices (id),
  desired_deployment_id uuid REFERENCES deployments (id),
  desired_sha256 text,
  reported_name text,
  reported_version integer,
  reported_sha256 text,
  reported_status text,
  reported_metrics jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);
