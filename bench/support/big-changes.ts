/**
 * Child process of bench/hostile.ts: an enrolled device sending a fresh Automerge change of about
 * `bytes` bytes every `everyMs` until `until`, answering its statuses and latencies over IPC. In
 * its own process because building a 900 KB change takes the building process's event loop for a
 * second or more — in the bench's own process that stall would show up in its `/healthz` probes.
 */
import * as A from '@automerge/automerge';
import { randomBytes } from 'node:crypto';
import { deviceDocId, encodeSyncRequest, initDoc, SYNC_CONTENT_TYPE } from '../../shared/documents/index.ts';

export interface BigChangesCommand {
  url: string;
  deviceId: string;
  token: string;
  bytes: number;
  everyMs: number;
  until: number;
}

export interface BigChangesReport {
  changeBytes: number;
  statuses: number[];
  ms: number[];
}

/** One Automerge change of about `bytes` bytes onto the document's skeleton: random text does not compress. */
function bigChange(docId: string, bytes: number): Uint8Array {
  let chars = bytes;
  for (;;) {
    const text = randomBytes(Math.ceil((chars * 3) / 4))
      .toString('base64')
      .slice(0, chars);
    const doc = A.change(A.clone(initDoc(docId)), (d) => {
      (d as Record<string, unknown>).notes = text;
    });
    const change = A.getLastLocalChange(doc)!;
    if (Math.abs(change.length - bytes) < bytes * 0.02) return change;
    chars = Math.round((chars * bytes) / change.length);
  }
}

async function run(cmd: BigChangesCommand): Promise<BigChangesReport> {
  const docId = deviceDocId(cmd.deviceId);
  const report: BigChangesReport = { changeBytes: 0, statuses: [], ms: [] };
  while (Date.now() < cmd.until) {
    const next = Date.now() + cmd.everyMs;
    const change = bigChange(docId, cmd.bytes);
    report.changeBytes = change.length;
    const t = performance.now();
    try {
      const res = await fetch(`${cmd.url}/api/v1/sync/${docId}`, {
        method: 'POST',
        body: encodeSyncRequest({ have: [], changes: [change] }),
        headers: { authorization: `Bearer ${cmd.token}`, 'content-type': SYNC_CONTENT_TYPE },
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      report.statuses.push(res.status);
    } catch {
      report.statuses.push(0);
    }
    report.ms.push(performance.now() - t);
    const wait = next - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return report;
}

process.once('message', (cmd: BigChangesCommand) => {
  void run(cmd).then((report) => process.send!(report, () => process.exit(0)));
});
