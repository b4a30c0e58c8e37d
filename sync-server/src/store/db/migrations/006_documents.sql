-- Automerge documents (DESIGN §4), one per device and per group, kept as append-only changes.
-- A change is content-addressed by its hash, so inserting it again (a retry, or two server
-- instances receiving the same change) is a no-op: ON CONFLICT DO NOTHING, and nothing is lost.
-- Writers of one document take a per-document advisory lock, so seq grows in commit order within a
-- document and a snapshot's seq is a safe "everything up to here" watermark.
CREATE TABLE doc_changes (
  doc_id text NOT NULL,
  seq bigserial NOT NULL,
  hash text NOT NULL,
  change bytea NOT NULL,
  PRIMARY KEY (doc_id, hash)
);
CREATE INDEX doc_changes_seq ON doc_changes (doc_id, seq);

-- A compacted copy (Automerge.save) of every change with seq <= snapshots.seq; loading reads it plus
-- the changes after it. Changes are kept: the snapshot is a cache, the changes are the truth.
CREATE TABLE doc_snapshots (
  doc_id text PRIMARY KEY,
  bytes bytea NOT NULL,
  heads text[] NOT NULL,
  seq bigint NOT NULL,
  changes integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
