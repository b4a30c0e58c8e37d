/**
 * Helpers for toJSON/fromJSON. JSON has no Infinity or NaN (JSON.stringify writes null), yet
 * several River detectors start from ±Infinity sentinels, so non-finite numbers travel as strings.
 */
import type { DetectorState, JsonValue } from './types.ts';

export function enc(x: number): number | string {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

export function dec(v: JsonValue | undefined, field: string): number {
  if (typeof v === 'number') return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === 'NaN') return NaN;
  throw new Error(`Detector state field "${field}" must be a number, got ${JSON.stringify(v)}`);
}

export function encArray(a: ArrayLike<number>, length = a.length): (number | string)[] {
  const out: (number | string)[] = new Array(length);
  for (let i = 0; i < length; i++) out[i] = enc(a[i] as number);
  return out;
}

/** Copies a serialised array into a preallocated typed array (which keeps its capacity). */
export function decArrayInto(v: JsonValue | undefined, target: Float64Array | Int32Array, field: string): number {
  if (!Array.isArray(v)) throw new Error(`Detector state field "${field}" must be an array`);
  if (v.length > target.length) {
    throw new Error(`Detector state field "${field}" has ${v.length} entries, capacity is ${target.length}`);
  }
  for (let i = 0; i < v.length; i++) target[i] = dec(v[i], `${field}[${i}]`);
  return v.length;
}

export function decBool(v: JsonValue | undefined, field: string): boolean {
  if (typeof v !== 'boolean') throw new Error(`Detector state field "${field}" must be a boolean`);
  return v;
}

/** Checks the envelope common to every detector state before a class restores its fields. */
export function checkEnvelope(state: DetectorState, name: string): void {
  if (state === null || typeof state !== 'object') throw new Error('Detector state must be an object');
  if (state.name !== name) throw new Error(`Detector state is for "${String(state.name)}", expected "${name}"`);
  if (state.version !== 1) throw new Error(`Unsupported ${name} state version ${String(state.version)}`);
  if (state.state === null || typeof state.state !== 'object') throw new Error(`${name} state has no "state" object`);
}

/** A state field: its JSON name, or [JSON name, property] where the property is named differently. */
export type StateField = string | readonly [json: string, property: string];

const names = (f: StateField): readonly [string, string] => (typeof f === 'string' ? [f, f] : f);

/**
 * The envelope plus the detector's scalar fields by name (numbers through enc, so ±Infinity
 * sentinels survive JSON; booleans as they are), then `more` (arrays and the like, already
 * JSON). Every detector writes its state here, so each field is named once, in its field lists.
 */
export function scalarState(
  d: { name: string; params: object },
  numbers: readonly StateField[],
  booleans: readonly StateField[],
  more: Record<string, JsonValue> = {},
): DetectorState {
  const o = d as unknown as Record<string, number | boolean>;
  const state: Record<string, JsonValue> = {};
  for (const f of numbers) {
    const [json, prop] = names(f);
    state[json] = enc(o[prop] as number);
  }
  for (const f of booleans) {
    const [json, prop] = names(f);
    state[json] = o[prop] as boolean;
  }
  Object.assign(state, more);
  return { name: d.name, version: 1, params: { ...(d.params as Record<string, number | string | boolean>) }, state };
}

/** The inverse of scalarState's scalars on a freshly constructed detector (after checkEnvelope). */
export function restoreScalars<T extends object>(
  d: T,
  state: DetectorState,
  numbers: readonly StateField[],
  booleans: readonly StateField[],
): T {
  const o = d as unknown as Record<string, number | boolean>;
  for (const f of numbers) {
    const [json, prop] = names(f);
    o[prop] = dec(state.state[json], json);
  }
  for (const f of booleans) {
    const [json, prop] = names(f);
    o[prop] = decBool(state.state[json], json);
  }
  return d;
}
