import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  MAX_TOKEN_DAYS,
  type CreatedToken,
  type CreateToken,
  type Principal,
  type Role,
  type Token,
} from '../../../shared/protocol/index.ts';
import { Conflict, Invalid, NotFound, Unauthorized } from './errors.ts';
import type { Db, Queryable } from '../store/db/index.ts';

const PREFIX = 'tsk_';
/** last_seen_at (devices) and last_used_at (tokens) are refreshed at most this often: "when" needs minutes, not every request. */
const SEEN_THROTTLE_MS = 60_000;
/** GET /tokens answers at most this many, newest first; revoked tokens are kept, so the table only grows. */
export const MAX_LISTED_TOKENS = 1000;
const DAY_MS = 86_400_000;

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A random secret; enrolment codes use it too, with their own prefix so the two are told apart. */
export function newTokenSecret(prefix = PREFIX, bytes = 32): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

/** Stores a new token (its hash only) through q, so callers can issue one inside their own transaction. */
export async function insertToken(
  q: Queryable,
  name: string,
  role: Role | 'device',
  deviceId?: string,
  expiresAt: Date | null = null,
): Promise<CreatedToken & { role: Role }> {
  const token = newTokenSecret();
  const { rows } = await q.query<{ id: string; created_at: Date }>(
    'INSERT INTO api_tokens (name, role, token_hash, device_id, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at',
    [name, role, hashToken(token), deviceId ?? null, expiresAt],
  );
  const row = rows[0]!;
  return {
    id: row.id,
    name,
    role: role as Role,
    token,
    createdAt: row.created_at.toISOString(),
    expiresAt: expiresAt?.toISOString() ?? null,
  };
}

/** The expiry a create request asks for, checked against `now`: in the future and at most MAX_TOKEN_DAYS ahead. */
export function expiryOf(input: Pick<CreateToken, 'expiresAt' | 'expiresInDays'>, now = Date.now()): Date | null {
  if (input.expiresInDays !== undefined) return new Date(now + input.expiresInDays * DAY_MS);
  if (input.expiresAt === undefined) return null;
  const at = new Date(input.expiresAt);
  if (at.getTime() <= now)
    throw new Invalid(`expiresAt must be in the future (got ${input.expiresAt})`, { code: 'validation_failed' });
  if (at.getTime() > now + MAX_TOKEN_DAYS * DAY_MS)
    throw new Invalid(`expiresAt must be at most ${MAX_TOKEN_DAYS} days ahead (got ${input.expiresAt})`, {
      code: 'validation_failed',
    });
  return at;
}

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  bootstrap: boolean;
}
const TOKEN_COLUMNS = 'id, name, role, created_at, last_used_at, expires_at, revoked_at, bootstrap';
const iso = (d: Date | null) => d?.toISOString() ?? null;
const toToken = (r: TokenRow): Token => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdAt: r.created_at.toISOString(),
  lastUsedAt: iso(r.last_used_at),
  expiresAt: iso(r.expires_at),
  revokedAt: iso(r.revoked_at),
  bootstrap: r.bootstrap,
});
/** Tokens of people and programs; a device's token belongs to the device and is revoked with it. */
const HUMAN = `device_id IS NULL AND role <> 'device'`;
const USABLE = `revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`;

/**
 * Calls `write(key)` at most once per SEEN_THROTTLE_MS per key in this process; the SQL it runs
 * throttles again, so several instances still write at most once a minute. A failure is logged,
 * never the request's failure: "last seen" is a convenience.
 */
class Throttle {
  private readonly last = new Map<string, number>();
  constructor(
    private readonly what: string,
    private readonly write: (key: string) => Promise<unknown>,
    private readonly logger?: Logger,
  ) {}

  async touch(key: string): Promise<void> {
    const now = Date.now();
    if (now - (this.last.get(key) ?? -Infinity) < SEEN_THROTTLE_MS) return;
    this.last.set(key, now);
    try {
      await this.write(key);
    } catch (err) {
      this.last.delete(key);
      this.logger?.warn({ err, key }, `could not record ${this.what}`);
    }
  }
}

/** Bearer tokens: created with a role, stored only as their sha256, shown once. */
export class AuthService {
  private readonly devicesSeen: Throttle;
  private readonly tokensUsed: Throttle;

  constructor(
    private readonly db: Db,
    private readonly logger?: Logger,
  ) {
    this.devicesSeen = new Throttle(
      'that a device was seen',
      (id) =>
        db.query(
          `UPDATE devices SET last_seen_at = now() WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at < now() - interval '1 minute')`,
          [id],
        ),
      logger,
    );
    this.tokensUsed = new Throttle(
      'that a token was used',
      (id) =>
        db.query(
          `UPDATE api_tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
          [id],
        ),
      logger,
    );
  }

  /**
   * The token's principal; undefined for an unknown token. A revoked or expired one is a 401 that
   * says so: whoever holds it learns why it stopped working (a device shows it to its user).
   */
  async verify(token: string): Promise<Principal | undefined> {
    const { rows } = await this.db.query<{
      id: string;
      name: string;
      role: Principal['role'];
      device_id: string | null;
      revoked: boolean;
      expires_at: Date | null;
      expired: boolean;
    }>(
      `SELECT id, name, role, device_id, revoked_at IS NOT NULL AS revoked, expires_at, coalesce(expires_at <= now(), false) AS expired
         FROM api_tokens WHERE token_hash = $1`,
      [hashToken(token)],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.revoked) {
      if (row.device_id) throw new Unauthorized('this device was revoked; enrol it again with a new enrolment code');
      throw new Unauthorized('token revoked: ask an admin for a new one');
    }
    if (row.expired)
      throw new Unauthorized(`token expired at ${row.expires_at!.toISOString()}: ask an admin for a new one`);
    // Devices show presence on their own row; a person's token shows when it was last used.
    if (row.device_id) await this.devicesSeen.touch(row.device_id);
    else await this.tokensUsed.touch(row.id);
    return { tokenId: row.id, name: row.name, role: row.role, ...(row.device_id ? { deviceId: row.device_id } : {}) };
  }

  async create(
    input: { name: string; role: Role } & Pick<CreateToken, 'expiresAt' | 'expiresInDays'>,
  ): Promise<CreatedToken & { role: Role }> {
    return insertToken(this.db, input.name, input.role, undefined, expiryOf(input));
  }

  /** The human tokens, newest first (at most MAX_LISTED_TOKENS). */
  async list(): Promise<Token[]> {
    const { rows } = await this.db.query<TokenRow>(
      `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE ${HUMAN} ORDER BY created_at DESC, id LIMIT ${MAX_LISTED_TOKENS}`,
    );
    return rows.map(toToken);
  }

  /**
   * Revokes a human token; revoking a revoked one answers it unchanged. The last usable admin token
   * cannot be revoked (409): without one nobody could make tokens again short of restarting the
   * server with a new ADMIN_TOKEN. The usable admin rows are locked first, so two revokes racing
   * for the last two admin tokens cannot both pass the check.
   */
  async revoke(id: string): Promise<Token> {
    return this.db.transaction(async (tx) => {
      const admins = await tx.query<{ id: string }>(
        `SELECT id FROM api_tokens WHERE ${HUMAN} AND role = 'admin' AND ${USABLE} ORDER BY id FOR UPDATE`,
      );
      const { rows } = await tx.query<TokenRow & { device_id: string | null; usable: boolean }>(
        `SELECT ${TOKEN_COLUMNS}, device_id, (${USABLE}) AS usable FROM api_tokens WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const row = rows[0];
      if (!row) throw new NotFound(`no token with id ${id}`);
      if (row.device_id || row.role === ('device' as Role)) {
        throw new NotFound(
          `no human token with id ${id}: a device token is revoked with its device (DELETE /api/v1/devices/{id})`,
        );
      }
      if (row.revoked_at) return toToken(row);
      if (row.role === 'admin' && row.usable && admins.rows.length <= 1) {
        throw new Conflict('this is the last usable admin token: create another admin token before revoking it');
      }
      const updated = await tx.query<TokenRow>(
        `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 RETURNING ${TOKEN_COLUMNS}`,
        [id],
      );
      this.logger?.info({ tokenId: id, name: row.name, role: row.role }, 'token revoked');
      return toToken(updated.rows[0]!);
    });
  }

  /**
   * With ADMIN_TOKEN set, makes that token the bootstrap admin token and revokes the bootstrap token
   * before it (an earlier ADMIN_TOKEN, or the one the first start printed): changing ADMIN_TOKEN is
   * how a leaked one is replaced. The same ADMIN_TOKEN again changes nothing. A revoked ADMIN_TOKEN
   * stays revoked (a revocation is final; a warning says so) and revokes nothing: set a new one to get in again.
   * Without ADMIN_TOKEN, issues one admin token the first time the database is used and returns it
   * (to be printed once); later starts return undefined. Claiming the `bootstrap` row is atomic, so
   * two instances never both issue one.
   */
  async bootstrap(adminToken: string | undefined): Promise<string | undefined> {
    if (adminToken) {
      const { current, replaced } = await this.db.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: string; revoked: boolean }>(
          `INSERT INTO api_tokens (name, role, token_hash, bootstrap) VALUES ('ADMIN_TOKEN', 'admin', $1, true)
           ON CONFLICT (token_hash) DO UPDATE SET role = 'admin', bootstrap = true
           RETURNING id, revoked_at IS NOT NULL AS revoked`,
          [hashToken(adminToken)],
        );
        const current = rows[0]!;
        // Going back to a revoked ADMIN_TOKEN must not also take away the one that replaced it.
        if (current.revoked) return { current, replaced: [] };
        const replaced = await tx.query<{ id: string }>(
          `UPDATE api_tokens SET revoked_at = now() WHERE bootstrap AND id <> $1 AND revoked_at IS NULL RETURNING id`,
          [current.id],
        );
        return { current, replaced: replaced.rows.map((r) => r.id) };
      });
      if (replaced.length)
        this.logger?.info({ revoked: replaced }, 'ADMIN_TOKEN changed: the previous bootstrap admin token is revoked');
      if (current.revoked)
        this.logger?.warn(
          { tokenId: current.id },
          'ADMIN_TOKEN was revoked and stays revoked: set a new ADMIN_TOKEN to sign in with it',
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
      await tx.query(
        `INSERT INTO api_tokens (name, role, token_hash, bootstrap) VALUES ('bootstrap admin', 'admin', $1, true)`,
        [hashToken(token)],
      );
      return token;
    });
  }
}
