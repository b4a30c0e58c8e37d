/** Lower-case hex sha256 of the bytes, with SubtleCrypto (browsers, workers and Node alike). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // SubtleCrypto takes no views of a SharedArrayBuffer: those are hashed from a copy.
  const own = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', own));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The expected hash in canonical form, or a TypeError naming the model when it is not a sha256. */
export function normalizeSha256(sha256: string, model: string): string {
  const s = sha256.trim().toLowerCase();
  if (!SHA256_HEX.test(s))
    throw new TypeError(`${model}: expected sha256 must be 64 hex digits, got ${JSON.stringify(sha256)}`);
  return s;
}
