/**
 * The console's replica of a device document. Automerge's wasm (3.6 MB) is fetched only when a
 * person edits an event. The admin build aliases `@automerge/automerge` to its `/slim` entry, so
 * this explicit URL is the one initialisation. Each edit opens a fresh replica, pulls the document,
 * applies one who-writes-what change and pushes it (protocol: shared/documents).
 */
import type * as A from '@automerge/automerge';
import { initializeWasm, isWasmInitialized } from '@automerge/automerge/slim';
import wasmUrl from '@automerge/automerge/automerge.wasm?url';
import { DocSync } from '../../../edge-app/src/lcm/sync/documents.ts';
import { deviceDocId, type DeviceDoc } from '../../../shared/documents/index.ts';
import { isErrorBody } from '../../../shared/protocol/index.ts';
import { api } from '../api.ts';

let ready: Promise<void> | undefined;

async function init(): Promise<void> {
  if (!isWasmInitialized()) await initializeWasm(wasmUrl);
}

/** The server's own message out of DocSync's "document sync failed: HTTP n <body>". */
function serverMessage(err: unknown): Error {
  const m = /HTTP (\d+) (.*)$/s.exec(err instanceof Error ? err.message : '');
  if (m) {
    try {
      const body: unknown = JSON.parse(m[2]!);
      if (isErrorBody(body)) return new Error(body.error.message);
    } catch {
      /* not JSON: keep the original */
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}

export async function editDeviceDoc(deviceId: string, edit: (doc: A.Doc<DeviceDoc>) => A.Doc<DeviceDoc>): Promise<DeviceDoc> {
  await (ready ??= init());
  try {
    const replica = await DocSync.open<DeviceDoc>({ url: api.origin, token: api.token ?? '', docId: deviceDocId(deviceId), format: 'json' });
    await replica.sync();
    await replica.edit(edit);
    await replica.sync();
    return replica.value;
  } catch (err) {
    throw serverMessage(err);
  }
}
