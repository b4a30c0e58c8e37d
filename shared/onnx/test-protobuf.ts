// Protobuf bytes written by hand (test-only), for layouts an encoder never writes:
// fields out of order, wrong wire types, lengths that lie. No imports, so browser tests can use it too.

export function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(n));
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return out;
}

export function field(num: number, payload: Uint8Array | number[]): number[] {
  return [...varint(num * 8 + 2), ...varint(payload.length), ...payload];
}

export function intField(num: number, value: number): number[] {
  return [...varint(num * 8), ...varint(value)];
}

export function str(num: number, s: string): number[] {
  return field(num, [...new TextEncoder().encode(s)]);
}
