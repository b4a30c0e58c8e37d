-- Human tokens may expire; the token ADMIN_TOKEN (or the first start) made is marked, so a new
-- ADMIN_TOKEN can revoke the one before it.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
ALTER TABLE api_tokens ADD COLUMN bootstrap boolean NOT NULL DEFAULT false;

-- Before this migration the bootstrap tokens were told apart only by the names the server gave them.
UPDATE api_tokens SET bootstrap = true
 WHERE device_id IS NULL AND role = 'admin' AND name IN ('ADMIN_TOKEN', 'bootstrap admin');

-- GET /tokens lists the human tokens, newest first.
CREATE INDEX api_tokens_human ON api_tokens (created_at DESC) WHERE device_id IS NULL;
