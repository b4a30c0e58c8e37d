import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../random/prng.ts';
import { IngestRecordSchema, isPlainRecord } from './record.ts';

const valid = {
  id: 'r1',
  ts: 1764000000000,
  model: { name: 'm', version: 3, sha256: 'x' },
  output: { classIndex: 2, label: 'rain', probabilities: [0.5, 0.5] },
  latencyMs: 0.4,
  confidence: 0.7,
  drift: 0,
};

/** Values a field might hold in a hostile or buggy batch. */
const ODD: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'y'.repeat(201),
  'a\0b',
  'a\ud800b',
  '\udc00',
  0,
  -1,
  1.5,
  2 ** 31,
  2 ** 40,
  2 ** 53,
  -(2 ** 53),
  1e300,
  1e308,
  true,
  [],
  {},
  [1],
  { a: 1 },
];

function mutate(random: () => number): unknown {
  const r = structuredClone(valid) as Record<string, any>;
  const paths = [
    ['id'],
    ['ts'],
    ['model'],
    ['model', 'name'],
    ['model', 'version'],
    ['output'],
    ['output', 'classIndex'],
    ['output', 'label'],
    ['latencyMs'],
    ['confidence'],
    ['drift'],
  ];
  for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
    const path = paths[Math.floor(random() * paths.length)]!;
    const value = ODD[Math.floor(random() * ODD.length)];
    const parent = path.length === 1 ? r : r[path[0]!];
    if (typeof parent !== 'object' || parent === null) continue;
    if (value === undefined) delete parent[path.at(-1)!];
    else parent[path.at(-1)!] = value;
  }
  return r;
}

test('the quick check accepts ordinary records and never anything the schema refuses', () => {
  assert.equal(isPlainRecord(valid), true);
  assert.equal(isPlainRecord({ ...valid, confidence: undefined, output: {} }), true);
  const random = createRng(7);
  let accepted = 0;
  let refusedBySchema = 0;
  for (let i = 0; i < 20_000; i++) {
    const r = mutate(random);
    const schemaOk = IngestRecordSchema.safeParse(r).success;
    if (!schemaOk) refusedBySchema++;
    if (isPlainRecord(r)) {
      accepted++;
      assert.ok(schemaOk, `quick check accepted what the schema refuses: ${JSON.stringify(r)}`);
    }
  }
  // Both kinds occur, so the implication above was tested on both sides.
  assert.ok(accepted > 500 && refusedBySchema > 1000, `accepted ${accepted}, refused ${refusedBySchema}`);
});
