import { createHash, randomBytes } from 'node:crypto';
import type { CreatedToken, Principal, Role } from '../../../shared/protocol/index.ts';
import type { Db } from '../store/db/index.ts';

const PREFIX = 'tsk_';

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function newTokenSecret(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

/** Bearer tokens: created with a role, stored only as their sha256, shown once. */
export class AuthService {
  constructor(private readonly db: Db) {}

  async verify(token: string): Promise<Principal | undefined> {
    const { rows } = await this.db.query<{ id: string; name: string; role: Principal['role'] }>(
      'SELECT id, name, role FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL',
      [hashToken(token)],
    );
    const row = rows[0];
    return row && { tokenId: row.id, name: row.name, role: row.role };
  }

  async create(name: string, role: Role | 'device'): Promise<CreatedToken & { role: Role }> {
    const token = newTokenSecret();
    const { rows } = await this.db.query<{ id: string; created_at: Date }>(
      'INSERT INTO api_tokens (name, role, token_hash) VALUES ($1, $2, $3) RETURNING id, created_at',
      [name, role, hashToken(token)],
    );
    const row = rows[0]!;
    return { id: row.id, name, role: role as Role, token, createdAt: row.created_at.toISOString() };
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
