import { z } from 'zod';

/**
 * What any request's input may hold, whichever route it goes to: text PostgreSQL can store (no NUL,
 * no unpaired UTF-16 surrogate, which would be silently replaced), JSON nested no deeper than
 * MAX_JSON_DEPTH, and whole numbers that fit the column they end up in.
 */

/** Deepest nesting of arrays and objects a JSON input may have (a top-level object is level 1). */
export const MAX_JSON_DEPTH = 64;

/** The largest value of a PostgreSQL `integer` (int4) column. */
export const INT4_MAX = 2_147_483_647;

/** A positive whole number for an `integer` column, e.g. a model version. */
export const PositiveInt4Schema = z.number().int().min(1).max(INT4_MAX);
/**
 * A whole number for a `bigint` column as JSON numbers carry it: a safe integer (|n| ≤ 2^53 − 1);
 * zod's int() is exactly that.
 */
export const Int8Schema = z.number().int();

/** Decimal digits that fit an `integer` column, as in a URL path (`/versions/3`) or MLflow's string versions. */
export const isInt4Digits = (s: string) => /^\d{1,10}$/.test(s) && Number(s) <= INT4_MAX;
export const Int4DigitsSchema = z.string().refine(isInt4Digits, `a whole number from 0 to ${INT4_MAX}`);

// With the u flag a surrogate range matches only surrogates that are not part of a pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why a string cannot be stored as text, or undefined when it can. */
export function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  return undefined;
}

export interface InputProblem {
  /** Where, e.g. ['model', 'name'] or ['items', 3]. */
  path: (string | number)[];
  problem: string;
}

/** `model.name`, `items[3]`, `tags["a b"]`; the whole value when the path is empty. */
export function formatInputPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out || '(the whole value)';
}

/**
 * The first string, key or nesting level in a parsed JSON-like value (or query/params object) that
 * breaks the rules above. Iterative, so a value nested 100 000 deep cannot overflow the stack.
 */
export function findInputProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): InputProblem | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { path, problem };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= maxDepth) return { path: path.slice(0, 8), problem: `is nested deeper than ${maxDepth} levels` };
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
      continue;
    }
    for (const [key, item] of Object.entries(v)) {
      const problem = key === '__proto__' ? 'is a reserved name (__proto__)' : textProblem(key);
      // The key itself is the problem: name the object it is in.
      if (problem) return { path, problem: `has a key that ${problem}` };
      stack.push({ value: item, path: [...path, key] });
    }
  }
  return undefined;
}

/**
 * Whether JSON text nests arrays/objects deeper than maxDepth, found in one pass over the text before
 * JSON.parse spends time building it (1 MB of `[` takes JSON.parse over half a second).
 */
export function jsonTextTooDeep(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
