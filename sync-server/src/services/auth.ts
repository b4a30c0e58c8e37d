import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { CreatedToken, Principal, Role } from '../../../shared/protocol/index.ts';
import { HttpError } from '../http/errors.ts';
import type { Db, Queryable } from '../store/db/index.ts';

const PREFIX = 'tsk_';
/** last_seen_at is refreshed at most this often per device: "online" needs minutes, not every request. */
const SEEN_THROTTLE_MS = 60_000;

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A random secret; enrolment codes use it too, with their own prefix so the two are told apart. */
export function newTokenSecret(prefix = PREFIX, bytes = 32): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

/** Stores a new token (its hash only) through q, so callers can issue one inside their own transaction. */
export async function insertToken(q: Queryable, name: string, role: Role | 'device', deviceId?: string): Promise<CreatedToken & { role: Role }> {
  const token = newTokenSecret();
  const { rows } = await q.query<{ id: string; created_at: Date }>(
    'INSERT INTO api_tokens (name, role, token_hash, device_id) VALUES ($1, $2, $3, $4) RETURNING id, created_at',
    [name, role, hashToken(token), deviceId ?? null],
  );
  const row = rows[0]!;
  return { id: row.id, name, role: role as Role, token, createdAt: row.created_at.toISOString() };
}

/** Bearer tokens: created with a role, stored only as their sha256, shown once. */
export class AuthService {
  /** When this process last refreshed a device's last_seen_at, to skip the UPDATE in between. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly logger?: Logger,
  ) {}

  /** The token's principal; undefined for an unknown or revoked token, and a 401 that says so for a revoked device. */
  async verify(token: string): Promise<Principal | undefined> {
    const { rows } = await this.db.query<{ id: string; name: string; role: Principal['role']; device_id: string | null; revoked: boolean }>(
      'SELECT id, name, role, device_id, revoked_at IS NOT NULL AS revoked FROM api_tokens WHERE token_hash = $1',
      [hashToken(token)],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.revoked) {
      // A device shows the person holding it why it stopped syncing, so this 401 names the cause.
      if (row.device_id) throw HttpError.of('unauthorized', 'this device was revoked; enrol it again with a new enrolment code');
      return undefined;
    }
    if (row.device_id) await this.markSeen(row.device_id);
    return { tokenId: row.id, name: row.name, role: row.role, ...(row.device_id ? { deviceId: row.device_id } : {}) };
  }

  /**
   * Throttled twice: in memory for this process, and in SQL so several instances still write at most
   * once a minute. A failure is logged, never the request's failure: presence is a convenience.
   */
  private async markSeen(deviceId: string): Promise<void> {
    const now = Date.now();
    if (now - (this.seen.get(deviceId) ?? -Infinity) < SEEN_THROTTLE_MS) return;
    this.seen.set(deviceId, now);
    try {
      await this.db.query(
        `UPDATE devices SET last_seen_at = now() WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at < now() - interval '1 minute')`,
        [deviceId],
      );
    } catch (err) {
      this.seen.delete(deviceId);
      this.logger?.warn({ err, deviceId }, 'could not record that a device was seen');
    }
  }

  create(name: string, role: Role | 'device'): Promise<CreatedToken & { role: Role }> {
    return insertToken(this.db, name, role);
  }

  /**
   * With ADMIN_TOKEN set, makes sure that token is a valid admin token. Without it, issues one admin
   * token the first time the database is used and returns it (to be printed once); later starts
   * return undefined. Claiming the `bootstrap` row is atomic, so two instances never both issue one.
   */
  async bootstrap(adminToken: string | undefined): Promise<string | undefined> {
    if (adminToken) {
      await this.db.query(
        `INSERT INTO api_tokens (name, role, token_hash) VALUES ('ADMIN_TOKEN', 'admin', $1)
         ON CONFLICT (token_hash) DO UPDATE SET revoked_at = NULL, role = 'admin'`,
        [hashToken(adminToken)],
      );
      return undefined;
    }
    return this.db.transaction(async (tx) => {
      const claimed = await tx.query(
        `INSERT INTO server_state (key, value) VALUES ('bootstrap', jsonb_build_object('at', now()))
         ON CONFLICT (key) DO NOTHING RETURNING key`,
      );
      if (claimed.rowCount === 0) return undefined;
      const token = newTokenSecret();
      await tx.query(`INSERT INTO api_tokens (name, role, token_hash) VALUES ('bootstrap admin', 'admin', $1)`, [hashToken(token)]);
      return token;
    });
  }
}
