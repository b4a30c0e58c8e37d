import type { z } from 'zod';
import type { DocSizeLimits, Refusal } from './change-limits.ts';
import {
  DesiredSchema,
  DriftEventSchema,
  EventSummarySchema,
  GroupSettingsSchema,
  parseDocId,
  ReportedSchema,
} from './schema.ts';

/**
 * Who writes what (schema.ts), checked on what a write changes in a document's visible state: the
 * plain views before and after the incoming changes. Only what changed is judged, so legacy data
 * that breaks today's rules does not block later writes that leave it alone. Pure; the server runs
 * it on every sync that brings changes.
 *
 *   device  (its own document): `reported`, its events' own fields (appending, compacting), and
 *           `eventSummary`; never `desired`, `deviceId`, nor the console's event fields.
 *   person  (console, operators): anything but the id, within the schemas' ranges.
 */
export type Writer = 'device' | 'person';

/** Fields of a drift event that people write; a device must leave them alone. */
const CONSOLE_EVENT_FIELDS = new Set(['acknowledged', 'label', 'falseAlarm']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const keysOf = (a: unknown, b: unknown) =>
  [...new Set([...Object.keys(isObj(a) ? a : {}), ...Object.keys(isObj(b) ? b : {})])].sort();
const changedKeys = (a: unknown, b: unknown) =>
  keysOf(a, b).filter((k) => !same((a as Obj | undefined)?.[k], (b as Obj | undefined)?.[k]));

const forbidden = (path: string, owner: string): Refusal => ({
  status: 403,
  what: path,
  message: `${path} is written by ${owner}; a device may not change it`,
});
const invalid = (path: string, detail: string): Refusal => ({ status: 400, what: path, message: `${path}: ${detail}` });

function parse(path: string, schema: z.ZodType, value: unknown): Refusal | undefined {
  const r = schema.safeParse(value);
  if (r.success) return undefined;
  const issue = r.error.issues[0]!;
  const at = [path, ...issue.path.map(String)].join('.');
  return invalid(at, issue.message);
}

/** Each changed key of a section checked against its schema's field; unknown keys refused. */
function section(path: string, shape: Record<string, z.ZodType>, before: unknown, after: unknown): Refusal | undefined {
  if (!isObj(after)) return invalid(path, 'must be an object');
  for (const key of changedKeys(before, after)) {
    const field = shape[key];
    if (!field) return invalid(`${path}.${key}`, 'is not a field of this document');
    const value = after[key];
    if (value !== undefined) {
      const refused = parse(`${path}.${key}`, field, value);
      if (refused) return refused;
    }
  }
  return undefined;
}

const StrictEvent = DriftEventSchema.strict();

function events(before: unknown, after: unknown, writer: Writer): Refusal | undefined {
  if (!Array.isArray(after)) return invalid('events', 'must be a list');
  const old = new Map<string, Obj>();
  if (Array.isArray(before))
    for (const e of before) if (isObj(e) && typeof e.id === 'string' && !old.has(e.id)) old.set(e.id, e);
  for (const [i, e] of after.entries()) {
    const prev = isObj(e) && typeof e.id === 'string' ? old.get(e.id) : undefined;
    if (prev && same(prev, e)) continue;
    if (writer === 'device') {
      for (const key of changedKeys(prev ?? {}, e))
        if (CONSOLE_EVENT_FIELDS.has(key)) return forbidden(`events[${i}].${key}`, 'the console');
    }
    const refused = parse(`events[${i}]`, StrictEvent, e);
    if (refused) return refused;
  }
  return undefined;
}

function deviceDoc(before: Obj, after: Obj, writer: Writer): Refusal | undefined {
  for (const key of changedKeys(before, after)) {
    if (key === 'deviceId')
      return { status: 403, what: 'deviceId', message: 'deviceId is fixed when the document is made' };
    let refused: Refusal | undefined;
    if (key === 'desired') {
      if (writer === 'device')
        return forbidden(
          `desired.${changedKeys(before.desired, after.desired)[0] ?? ''}`.replace(/\.$/, ''),
          'the server',
        );
      refused = section('desired', DesiredSchema.shape, before.desired, after.desired);
    } else if (key === 'reported') refused = section('reported', ReportedSchema.shape, before.reported, after.reported);
    else if (key === 'events') refused = events(before.events, after.events, writer);
    else if (key === 'eventSummary') refused = parse('eventSummary', EventSummarySchema, after.eventSummary);
    else refused = invalid(key, 'is not a field of a device document');
    if (refused) return refused;
  }
  return undefined;
}

function groupDoc(before: Obj, after: Obj): Refusal | undefined {
  for (const key of changedKeys(before, after)) {
    if (key === 'groupId')
      return { status: 403, what: 'groupId', message: 'groupId is fixed when the document is made' };
    if (key !== 'settings') return invalid(key, 'is not a field of a group document');
    const refused = section('settings', GroupSettingsSchema.shape, before.settings, after.settings);
    if (refused) return refused;
  }
  return undefined;
}

/** The refusal for a write that changed `before` into `after` (plain views of document `docId`), or undefined. */
export function checkDocWrite(docId: string, before: unknown, after: unknown, writer: Writer): Refusal | undefined {
  const b = isObj(before) ? before : {};
  if (!isObj(after)) return invalid('document', 'must be an object');
  return parseDocId(docId).kind === 'device' ? deviceDoc(b, after, writer) : groupDoc(b, after);
}

/**
 * The refusal for a document grown past its size, or holding a string longer than allowed that
 * this write made (one a legacy document already held unchanged is left alone), or undefined.
 */
export function checkDocSize(before: unknown, after: unknown, limits: DocSizeLimits): Refusal | undefined {
  const size = JSON.stringify(after).length;
  if (size > limits.maxDocBytes && size > JSON.stringify(before ?? {}).length) {
    return {
      status: 413,
      what: 'MAX_DOC_BYTES',
      message: `the document would hold ${size} bytes, over the limit of ${limits.maxDocBytes} (MAX_DOC_BYTES)`,
    };
  }
  const long = longString(after, before, '', limits.maxStringLength);
  if (long)
    return {
      status: 413,
      what: 'MAX_DOC_STRING_LENGTH',
      message: `${long.path} would hold ${long.length} characters, over the limit of ${limits.maxStringLength} (MAX_DOC_STRING_LENGTH)`,
    };
  return undefined;
}

function longString(v: unknown, old: unknown, path: string, max: number): { path: string; length: number } | undefined {
  if (typeof v === 'string')
    return v.length > max && v !== old ? { path: path || 'document', length: v.length } : undefined;
  if (typeof v !== 'object' || v === null) return undefined;
  for (const [k, child] of Object.entries(v)) {
    const found = longString(
      child,
      (old as Obj | null | undefined)?.[k],
      Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k,
      max,
    );
    if (found) return found;
  }
  return undefined;
}
