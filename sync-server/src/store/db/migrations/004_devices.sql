-- Devices and how they join. A device enrols with a code (only its sha256 is kept) and gets a row
-- here plus a bearer token: a row of api_tokens with role 'device' whose device_id names it.
CREATE TABLE device_groups (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE,
  description text NOT NULL DEFAULT '',
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- uses_left counts down; enrolment consumes a use with one conditional UPDATE, so concurrent
-- enrolments on the last use serialise on the row and exactly one wins.
CREATE TABLE enrolment_codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  group_id uuid NOT NULL REFERENCES device_groups (id) ON DELETE CASCADE,
  code_hash bytea NOT NULL UNIQUE,
  uses integer NOT NULL CHECK (uses > 0),
  uses_left integer NOT NULL CHECK (uses_left >= 0),
  expires_at timestamptz NOT NULL,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX enrolment_codes_group ON enrolment_codes (group_id);

CREATE TABLE devices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  group_id uuid NOT NULL REFERENCES device_groups (id),
  name text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  enrolled_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX devices_group ON devices (group_id, enrolled_at);

-- The link lives on the token so verifying a bearer token stays one indexed lookup; revoking a
-- device revokes its tokens in the same transaction, and this column tells the 401 why.
ALTER TABLE api_tokens ADD COLUMN device_id uuid REFERENCES devices (id);
CREATE INDEX api_tokens_device ON api_tokens (device_id) WHERE device_id IS NOT NULL;
