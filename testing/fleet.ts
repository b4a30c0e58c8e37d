import assert from 'node:assert/strict';
import { api } from './server-process.ts';

export interface EnrolledDevice {
  deviceId: string;
  token: string;
  groupId: string;
}

/** A fresh single-use code for the group (needs an operator or admin token), then enrolment with it. */
export async function enrolDevice(v1: string, token: string, groupId: string, name = 'cam'): Promise<EnrolledDevice> {
  const code = await api(`${v1}/device-groups/${groupId}/enrolment-codes`, { token, body: { uses: 1 } });
  assert.equal(code.status, 201, JSON.stringify(code.body));
  const e = await api(`${v1}/devices/enrol`, { body: { code: code.body.code, name } });
  assert.equal(e.status, 201, JSON.stringify(e.body));
  return e.body as EnrolledDevice;
}

/** An operator token and a fresh device group to enrol into (needs the admin token). */
export async function operatorWithGroup(
  v1: string,
  adminToken: string,
  groupName: string,
): Promise<{ operator: string; groupId: string }> {
  const operator = (await api(`${v1}/tokens`, { token: adminToken, body: { name: 'ops', role: 'operator' } })).body
    .token as string;
  const group = await api(`${v1}/device-groups`, { token: operator, body: { name: groupName } });
  assert.equal(group.status, 201, JSON.stringify(group.body));
  return { operator, groupId: group.body.id as string };
}
