-- Model registry. One registry serves /api/v1 and MLflow's API: a registered model has monotonic
-- integer versions; artifact bytes live once per sha256 in the blob store (key models/sha256/<hex>).
CREATE TABLE registered_models (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE,
  description text NOT NULL DEFAULT '',
  tags jsonb NOT NULL DEFAULT '{}',
  -- Versions are never reused, even after a delete, so the counter lives here.
  last_version integer NOT NULL DEFAULT 0,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE model_artifacts (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL,
  onnx jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE model_versions (
  model_id uuid NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
  version integer NOT NULL,
  sha256 text NOT NULL REFERENCES model_artifacts (sha256),
  metadata jsonb NOT NULL DEFAULT '{}',
  description text NOT NULL DEFAULT '',
  tags jsonb NOT NULL DEFAULT '{}',
  stage text NOT NULL DEFAULT 'None' CHECK (stage IN ('None', 'Staging', 'Production', 'Archived')),
  source text,
  run_id text,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model_id, version)
);
CREATE INDEX model_versions_sha256 ON model_versions (sha256);
CREATE INDEX model_versions_run ON model_versions (run_id) WHERE run_id IS NOT NULL;

CREATE TABLE model_aliases (
  model_id uuid NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
  alias text NOT NULL,
  version integer NOT NULL,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model_id, alias),
  FOREIGN KEY (model_id, version) REFERENCES model_versions (model_id, version) ON DELETE CASCADE
);

-- Every move of an alias, so "what was champion last Tuesday" can be answered. version NULL = removed.
CREATE TABLE model_alias_history (
  id bigserial PRIMARY KEY,
  model_id uuid NOT NULL REFERENCES registered_models (id) ON DELETE CASCADE,
  alias text NOT NULL,
  version integer,
  previous_version integer,
  changed_by text,
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_alias_history_model ON model_alias_history (model_id, alias, id);
