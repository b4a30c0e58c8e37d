/**
 * node:assert/strict's deep equality (util.isDeepStrictEqual, Node 20) for the browser, where Node's
 * own is out of reach: same prototype and tag, Object.is for primitives, own enumerable string and
 * symbol keys, typed arrays byte by byte, Maps and Sets unordered, cycles followed.
 * testing/browser/assert.test.ts holds it against Node's on a table of cases.
 */

type Obj = Record<PropertyKey, unknown>;
interface Memos {
  a: Map<unknown, number>;
  b: Map<unknown, number>;
  position: number;
}

const tag = (v: unknown) => Object.prototype.toString.call(v);
const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;
const enumerable = (o: object, key: PropertyKey) => Object.prototype.propertyIsEnumerable.call(o, key);
const isError = (v: object) => v instanceof Error || tag(v) === '[object Error]';
const isBuffer = (v: object) => v instanceof ArrayBuffer || tag(v) === '[object SharedArrayBuffer]';
const BOXED = ['[object Number]', '[object String]', '[object Boolean]', '[object BigInt]', '[object Symbol]'];
const isIndex = (key: string) => /^(0|[1-9]\d*)$/.test(key) && Number(key) < 2 ** 32 - 1;

export function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  return equal(a, b, undefined);
}

function equal(a: unknown, b: unknown, memos: Memos | undefined): boolean {
  if (a === b) return a !== 0 || Object.is(a, b);
  if (!isObject(a)) return typeof a === 'number' && Number.isNaN(a) && Number.isNaN(b);
  if (!isObject(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b) || tag(a) !== tag(b)) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return sameKeys(a, b, memos, 'array', nonIndexKeys(a), nonIndexKeys(b));
  }
  if (tag(a) === '[object Object]') return sameKeys(a, b, memos, 'none');
  if (a instanceof Date) {
    if (!(b instanceof Date) || a.getTime() !== b.getTime()) return false;
  } else if (a instanceof RegExp) {
    if (!(b instanceof RegExp) || a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex)
      return false;
  } else if (isError(a)) {
    const e = a as Error;
    const f = b as Error;
    if (!isError(b) || e.message !== f.message || e.name !== f.name) return false;
  } else if (ArrayBuffer.isView(a)) {
    if (!ArrayBuffer.isView(b) || !sameBytes(a, b)) return false;
    return sameKeys(a, b, memos, 'none', nonIndexKeys(a), nonIndexKeys(b));
  } else if (a instanceof Set) {
    if (!(b instanceof Set) || a.size !== b.size) return false;
    return sameKeys(a, b, memos, 'set');
  } else if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    return sameKeys(a, b, memos, 'map');
  } else if (isBuffer(a)) {
    if (!isBuffer(b) || !sameBytes(new Uint8Array(a as ArrayBuffer), new Uint8Array(b as ArrayBuffer))) return false;
  } else if (BOXED.includes(tag(a))) {
    if (!Object.is((a as object).valueOf(), (b as object).valueOf())) return false;
  }
  return sameKeys(a, b, memos, 'none');
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.every((v, i) => v === y[i]);
}

/** Own enumerable keys that are no array index: string keys, then symbols (as Node lists them). */
function nonIndexKeys(o: object): PropertyKey[] {
  const strings = Object.keys(o).filter((k) => !isIndex(k));
  return [...strings, ...Object.getOwnPropertySymbols(o).filter((s) => enumerable(o, s))];
}

function sameKeys(
  a: object,
  b: object,
  memos: Memos | undefined,
  kind: 'none' | 'array' | 'set' | 'map',
  givenA?: PropertyKey[],
  givenB?: PropertyKey[],
): boolean {
  let keys: PropertyKey[];
  if (givenA && givenB) {
    if (givenA.length !== givenB.length) return false;
    keys = givenA;
    if (!keys.every((k) => enumerable(b, k))) return false;
  } else {
    keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length || !keys.every((k) => enumerable(b, k))) return false;
    const symbolsA = Object.getOwnPropertySymbols(a).filter((s) => enumerable(a, s));
    const symbolsB = Object.getOwnPropertySymbols(b).filter((s) => enumerable(b, s));
    if (symbolsA.length !== symbolsB.length || !symbolsA.every((s) => enumerable(b, s))) return false;
    keys = [...keys, ...symbolsA];
  }
  const size = kind === 'array' ? (a as unknown[]).length : kind === 'none' ? 0 : (a as Set<unknown>).size;
  if (keys.length === 0 && size === 0) return true;

  // A pair seen again further down compares equal only when both sides recur at the same depth.
  if (memos === undefined) memos = { a: new Map(), b: new Map(), position: 0 };
  else {
    const seenA = memos.a.get(a);
    const seenB = seenA === undefined ? undefined : memos.b.get(b);
    if (seenB !== undefined) return seenA === seenB;
    memos.position++;
  }
  memos.a.set(a, memos.position);
  memos.b.set(b, memos.position);
  const result = contentsEqual(a, b, memos, kind, keys);
  memos.a.delete(a);
  memos.b.delete(b);
  return result;
}

function contentsEqual(a: object, b: object, memos: Memos, kind: string, keys: PropertyKey[]): boolean {
  if (kind === 'set' && !setEqual(a as Set<unknown>, b as Set<unknown>, memos)) return false;
  if (kind === 'map' && !mapEqual(a as Map<unknown, unknown>, b as Map<unknown, unknown>, memos)) return false;
  if (kind === 'array') {
    const x = a as unknown[];
    const y = b as unknown[];
    for (let i = 0; i < x.length; i++) {
      const has = Object.hasOwn(x, i);
      if (has !== Object.hasOwn(y, i) || (has && !equal(x[i], y[i], memos))) return false;
    }
  }
  return keys.every((k) => equal((a as Obj)[k], (b as Obj)[k], memos));
}

function setEqual(a: Set<unknown>, b: Set<unknown>, memos: Memos): boolean {
  const objects = new Set<unknown>();
  for (const v of a) {
    if (isObject(v)) objects.add(v);
    else if (!b.has(v)) return false;
  }
  for (const v of b) {
    if (!isObject(v)) continue;
    const match = [...objects].find((o) => equal(o, v, memos));
    if (match === undefined) return false;
    objects.delete(match);
  }
  return objects.size === 0;
}

function mapEqual(a: Map<unknown, unknown>, b: Map<unknown, unknown>, memos: Memos): boolean {
  const objectKeys = new Set<unknown>();
  for (const [k, v] of a) {
    if (isObject(k)) objectKeys.add(k);
    else if (!b.has(k) || !equal(v, b.get(k), memos)) return false;
  }
  for (const [k, v] of b) {
    if (!isObject(k)) continue;
    const match = [...objectKeys].find((o) => equal(o, k, memos) && equal(a.get(o), v, memos));
    if (match === undefined) return false;
    objectKeys.delete(match);
  }
  return objectKeys.size === 0;
}
