import type { Device, DeviceGroup, EnrolmentCode } from '../../../../shared/protocol/index.ts';

/** Row shapes as SQL returns them, and their mapping to the API's types. */
export interface GroupRow {
  id: string;
  name: string;
  description: string;
  created_by: string | null;
  created_at: Date;
}

export interface CodeRow {
  id: string;
  group_id: string;
  uses: number;
  uses_left: number;
  expires_at: Date;
  created_by: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

export interface DeviceRow {
  id: string;
  group_id: string;
  name: string;
  metadata: Record<string, unknown>;
  enrolled_at: Date;
  last_seen_at: Date | null;
  revoked_at: Date | null;
}

export const GROUP_COLUMNS = 'id, name, description, created_by, created_at';
export const CODE_COLUMNS = 'id, group_id, uses, uses_left, expires_at, created_by, created_at, revoked_at';
export const DEVICE_COLUMNS = 'id, group_id, name, metadata, enrolled_at, last_seen_at, revoked_at';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const toGroup = (r: GroupRow): DeviceGroup => ({
  id: r.id,
  name: r.name,
  description: r.description,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
});

export const toCode = (r: CodeRow): EnrolmentCode => ({
  id: r.id,
  groupId: r.group_id,
  uses: r.uses,
  usesLeft: r.uses_left,
  expiresAt: r.expires_at.toISOString(),
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  revokedAt: iso(r.revoked_at),
});

export const toDevice = (r: DeviceRow): Device => ({
  id: r.id,
  groupId: r.group_id,
  name: r.name,
  metadata: r.metadata,
  enrolledAt: r.enrolled_at.toISOString(),
  lastSeenAt: iso(r.last_seen_at),
  revokedAt: iso(r.revoked_at),
});
