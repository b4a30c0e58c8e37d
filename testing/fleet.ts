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
