import { randomUUID } from 'node:crypto';
import type { EnrolAnswer } from '../../../../shared/protocol/index.ts';
import { Forbidden, Unauthorized } from '../errors.ts';
import type { Db, Queryable } from '../../store/db/index.ts';
import { hashToken, insertToken } from '../auth.ts';

/**
 * Consumes one use of the code and issues a device and its token, all in one transaction: the
 * conditional UPDATE locks the code's row, so of two enrolments racing for the last use the second
 * re-reads uses_left = 0 and fails, and a failure after it rolls the use back.
 */
export async function enrol(
  db: Db,
  code: string,
  name: string | undefined,
  metadata: Record<string, unknown>,
): Promise<EnrolAnswer> {
  const codeHash = hashToken(code);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ group_id: string }>(
      `UPDATE enrolment_codes SET uses_left = uses_left - 1
       WHERE code_hash = $1 AND uses_left > 0 AND expires_at > now() AND revoked_at IS NULL
       RETURNING group_id`,
      [codeHash],
    );
    const groupId = rows[0]?.group_id;
    if (!groupId) throw await refusal(tx, codeHash);
    const deviceId = randomUUID();
    const deviceName = name ?? `device-${deviceId.slice(0, 8)}`;
    await tx.query('INSERT INTO devices (id, group_id, name, metadata, last_seen_at) VALUES ($1, $2, $3, $4, now())', [
      deviceId,
      groupId,
      deviceName,
      JSON.stringify(metadata),
    ]);
    const { token } = await insertToken(tx, `device:${deviceName}`, 'device', deviceId);
    return { deviceId, token, groupId };
  });
}

/** Why a code was refused: an unknown code is a failed authentication, a known but spent one is forbidden. */
async function refusal(q: Queryable, codeHash: Buffer): Promise<Unauthorized | Forbidden> {
  const { rows } = await q.query<{ uses: number; expires_at: Date; expired: boolean; revoked: boolean }>(
    'SELECT uses, expires_at, expires_at <= now() AS expired, revoked_at IS NOT NULL AS revoked FROM enrolment_codes WHERE code_hash = $1',
    [codeHash],
  );
  const row = rows[0];
  if (!row) return new Unauthorized('the enrolment code is not valid');
  if (row.revoked) return new Forbidden('the enrolment code was revoked');
  if (row.expired) return new Forbidden(`the enrolment code expired at ${row.expires_at.toISOString()}`);
  return new Forbidden(`the enrolment code is used up (it allowed ${row.uses} enrolment${row.uses === 1 ? '' : 's'})`);
}
