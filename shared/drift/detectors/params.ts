/**
 * Parameter resolution shared by every detector: defaults, unknown-key rejection and coercion of
 * CLI strings ("--param clock=16") into the type of the documented default.
 */
import type { ParamValue } from './types.ts';

type ParamRecord = { [key: string]: ParamValue };

export function resolveParams<T extends { [K in keyof T]: ParamValue }>(
  detector: string,
  defaults: Readonly<T>,
  given: Readonly<Record<string, unknown>> | undefined,
): T {
  const out = { ...defaults } as T;
  if (given === undefined || given === null) return out;
  if (typeof given !== 'object') throw new Error(`Parameters for detector "${detector}" must be an object`);
  const defs = defaults as unknown as ParamRecord;
  for (const key of Object.keys(given)) {
    const raw = given[key];
    if (raw === undefined) continue;
    if (!Object.hasOwn(defs, key)) {
      throw new Error(
        `Unknown parameter "${key}" for detector "${detector}". Allowed parameters: ${Object.keys(defs).join(', ')}`,
      );
    }
    (out as unknown as ParamRecord)[key] = coerce(detector, key, defs[key] as ParamValue, raw);
  }
  return out;
}

function coerce(detector: string, key: string, def: ParamValue, raw: unknown): ParamValue {
  const where = `parameter "${key}" of detector "${detector}"`;
  if (typeof def === 'number') {
    const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`Invalid value ${JSON.stringify(raw)} for ${where}: expected a finite number`);
    }
    return v;
  }
  if (typeof def === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new Error(`Invalid value ${JSON.stringify(raw)} for ${where}: expected true or false`);
  }
  if (typeof raw !== 'string') throw new Error(`Invalid value ${JSON.stringify(raw)} for ${where}: expected a string`);
  return raw;
}

/** Range checks used by constructors; messages name the detector and parameter. */
export function checkNumber(
  detector: string,
  key: string,
  value: number,
  opts: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean },
): void {
  const bad = (why: string): never => {
    throw new Error(`Invalid value ${value} for parameter "${key}" of detector "${detector}": ${why}`);
  };
  if (!Number.isFinite(value)) bad('must be finite');
  if (opts.integer && !Number.isInteger(value)) bad('must be an integer');
  if (opts.min !== undefined && (opts.minExclusive ? value <= opts.min : value < opts.min)) {
    bad(`must be ${opts.minExclusive ? '>' : '>='} ${opts.min}`);
  }
  if (opts.max !== undefined && (opts.maxExclusive ? value >= opts.max : value > opts.max)) {
    bad(`must be ${opts.maxExclusive ? '<' : '<='} ${opts.max}`);
  }
}

export function checkChoice(detector: string, key: string, value: string, choices: readonly string[]): void {
  if (!choices.includes(value)) {
    throw new Error(
      `Invalid value ${JSON.stringify(value)} for parameter "${key}" of detector "${detector}": expected one of ${choices.join(', ')}`,
    );
  }
}
