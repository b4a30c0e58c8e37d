/**
 * Writes a patch into an Automerge map key by key; `undefined` deletes. Replacing the whole object
 * instead would make it a new object and discard concurrent edits made inside the old one.
 */
export function assignKeys(target: object, patch: object): void {
  const t = target as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete t[k];
    else t[k] = v;
  }
}
