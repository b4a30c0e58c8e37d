import type {
  CreatedEnrolmentCode,
  Device,
  DeviceGroup,
  EnrolAnswer,
  EnrolmentCode,
} from '../../../../shared/protocol/index.ts';
import { Conflict, NotFound } from '../errors.ts';
import type { Db } from '../../store/db/index.ts';
import { hashToken, newTokenSecret } from '../auth.ts';
import { enrol } from './enrol.ts';
import {
  CODE_COLUMNS,
  DEVICE_COLUMNS,
  GROUP_COLUMNS,
  toCode,
  toDevice,
  toGroup,
  type CodeRow,
  type DeviceRow,
  type GroupRow,
} from './rows.ts';

const CODE_PREFIX = 'tse_';
const notFound = (what: string) => new NotFound(`${what} does not exist`);

/** Device groups, enrolment codes and enrolled devices. Codes and device tokens are kept only as hashes. */
export class DevicesService {
  constructor(private readonly db: Db) {}

  async createGroup(name: string, description: string, createdBy: string | null): Promise<DeviceGroup> {
    const { rows } = await this.db.query<GroupRow>(
      `INSERT INTO device_groups (name, description, created_by) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO NOTHING RETURNING ${GROUP_COLUMNS}`,
      [name, description, createdBy],
    );
    if (!rows[0]) throw new Conflict(`device group "${name}" already exists`);
    return toGroup(rows[0]);
  }

  async listGroups(): Promise<DeviceGroup[]> {
    const { rows } = await this.db.query<GroupRow>(`SELECT ${GROUP_COLUMNS} FROM device_groups ORDER BY name`);
    return rows.map(toGroup);
  }

  async createCode(
    groupId: string,
    opts: { uses: number; expiresInSeconds: number },
    createdBy: string | null,
  ): Promise<CreatedEnrolmentCode> {
    const code = newTokenSecret(CODE_PREFIX, 18);
    const { rows } = await this.db.query<CodeRow>(
      `INSERT INTO enrolment_codes (group_id, code_hash, uses, uses_left, expires_at, created_by)
       SELECT id, $2, $3, $3, now() + make_interval(secs => $4), $5 FROM device_groups WHERE id = $1
       RETURNING ${CODE_COLUMNS}`,
      [groupId, hashToken(code), opts.uses, opts.expiresInSeconds, createdBy],
    );
    if (!rows[0]) throw notFound(`device group ${groupId}`);
    return { ...toCode(rows[0]), code };
  }

  async listCodes(groupId: string): Promise<EnrolmentCode[]> {
    const { rows } = await this.db.query<CodeRow>(
      `SELECT ${CODE_COLUMNS} FROM enrolment_codes WHERE group_id = $1 ORDER BY created_at, id`,
      [groupId],
    );
    return rows.map(toCode);
  }

  /** Revoking twice keeps the first time. */
  async revokeCode(id: string): Promise<EnrolmentCode> {
    const { rows } = await this.db.query<CodeRow>(
      `UPDATE enrolment_codes SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${CODE_COLUMNS}`,
      [id],
    );
    if (!rows[0]) throw notFound(`enrolment code ${id}`);
    return toCode(rows[0]);
  }

  enrol(code: string, name: string | undefined, metadata: Record<string, unknown> = {}): Promise<EnrolAnswer> {
    return enrol(this.db, code, name, metadata);
  }

  async listDevices(groupId?: string): Promise<Device[]> {
    const { rows } = await this.db.query<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM devices WHERE ($1::uuid IS NULL OR group_id = $1) ORDER BY enrolled_at, id`,
      [groupId ?? null],
    );
    return rows.map(toDevice);
  }

  async getDevice(id: string): Promise<Device> {
    const { rows } = await this.db.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = $1`, [id]);
    if (!rows[0]) throw notFound(`device ${id}`);
    return toDevice(rows[0]);
  }

  /** Revokes the device and every token it holds in one transaction; revoking twice keeps the first time. */
  async revokeDevice(id: string): Promise<Device> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<DeviceRow>(
        `UPDATE devices SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${DEVICE_COLUMNS}`,
        [id],
      );
      if (!rows[0]) throw notFound(`device ${id}`);
      await tx.query('UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE device_id = $1', [id]);
      return toDevice(rows[0]);
    });
  }
}
