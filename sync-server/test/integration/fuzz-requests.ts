import fc from 'fast-check';

/**
 * fast-check arbitraries for hostile requests to one operation of an OpenAPI document: values
 * shaped by the operation's schemas (so some get past validation and reach the services and the
 * database) mixed with what a buggy or hostile client sends — NUL, unpaired surrogates, integers
 * past 32 and 53 bits, fractions, wrong types, deep JSON, long strings, odd path segments, bodies
 * over the limit, wrong content types and tokens.
 */

type Schema = Record<string, any>;

/** Real names and ids of the server under test: plausible values reach further than random ones. */
export interface Known {
  strings: string[];
  uuids: string[];
  tokens: { admin: string; device: string };
  /** Path parameter name → values that name something that exists. */
  params: Record<string, string[]>;
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const nest = (levels: number, leaf: unknown, asObject: boolean): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = asObject ? { a: v } : [v];
  return v;
};

export const NASTY_STRINGS = [
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udfff',
  'x'.repeat(5000),
  '',
  ' ',
  '%00',
  '../../etc/passwd',
  "'",
  '"',
  '\\',
  "'; DROP TABLE models; --",
  '99999999999999999999',
  '2147483648',
  '-2147483649',
  '9007199254740993',
  '-1',
  '0',
  '1.5',
  '1e300',
  'NaN',
  'Infinity',
  'true',
  'null',
  '{}',
  '[]',
  "name = 'a\u0000'",
  "name LIKE '%'",
  'attributes.start_time > 1.5',
  'attributes.start_time < 1e300',
  'attributes.creation_time >= 99999999999999999999',
  'creation_time = -1.5',
  "metrics.x > 1e400 AND params.`a` = 'b'",
  "tags.`k\u0000` = 'v'",
  "run_id IN ('a', 'b')",
  "run_id = 'x'",
  'start_time DESC',
  'metrics.`a\u0000` ASC',
  'name ASC, name DESC',
  '\u202e\u200b',
  '🙂',
  '<script>alert(1)</script>',
  '\r\n',
  'device:00000000-0000-4000-8000-000000000000',
];

const NASTY_NUMBERS = [
  0, 1, -1, 1.5, -0.5, 2147483647, 2147483648, -2147483649, 4294967296, 9007199254740991,
  // biome-ignore lint/correctness/noPrecisionLoss: 2^53 + 1 is meant to arrive as its nearest double
  9007199254740993, 1e21, 1e300, -1e300, 5e-324,
];

const nastyString = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.string({ maxLength: 8, unit: fc.constantFrom('\u0000', '\ud800', 'a', '%', '/', '.') }),
);
const nastyNumber = fc.oneof(
  fc.constantFrom(...NASTY_NUMBERS),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(Number),
);
const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 3, arbitrary: nastyNumber },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      [],
      {},
      [1, 'a'],
      { a: 'b' },
      { '\u0000': 1 },
      JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}'),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(70, 3000).chain((n) => fc.boolean().map((o) => nest(n, 'x', o))) },
);

/** The value one time in `n`, else null (fc.option's freq is the other way round: null one time in freq). */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number) =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

/** A real name or id, as it is or with a NUL or an unpaired surrogate put into it. */
const plausibleText = (values: string[]) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...values) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...values), fc.constantFrom('\u0000', '\ud800', '\udc00x', '%00'))
        .map(([v, bad]) => v + bad),
    },
  );

const resolve = (doc: Schema, s: Schema | undefined): Schema => {
  let schema = s ?? {};
  for (let i = 0; schema.$ref && i < 10; i++)
    schema = doc.components.schemas[String(schema.$ref).replace('#/components/schemas/', '')] ?? {};
  return schema;
};

/**
 * A value for a JSON schema. Calm: of its shape, its strings real names with now and then a NUL
 * or a surrogate put in, its numbers now and then past what a column holds — so one bad field
 * meets otherwise valid input and reaches the services. Chaos: hostile values anywhere.
 */
export function valueFor(
  doc: Schema,
  known: Known,
  raw: Schema | undefined,
  chaos: boolean,
  depth = 0,
): fc.Arbitrary<unknown> {
  const s = resolve(doc, raw);
  if (depth > 4) return chaos ? nastyJson : fc.constant(null);
  const shaped: fc.Arbitrary<unknown>[] = [];
  for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])])
    shaped.push(valueFor(doc, known, alt, chaos, depth + 1));
  if (s.enum) shaped.push(fc.constantFrom(...(s.enum as unknown[])));
  if (s.const !== undefined) shaped.push(fc.constant(s.const));
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.includes('object') || s.properties) {
    const props = Object.entries((s.properties ?? {}) as Record<string, Schema>);
    const record = fc.record(
      Object.fromEntries(props.map(([k, p]) => [k, valueFor(doc, known, p, chaos, depth + 1)])),
      { requiredKeys: (s.required ?? []).filter((k: string) => s.properties?.[k]) },
    );
    shaped.push(
      s.additionalProperties && typeof s.additionalProperties === 'object'
        ? fc
            .tuple(
              record,
              fc.dictionary(
                chaos ? fc.oneof(nastyString, fc.constantFrom(...known.strings)) : plausibleText(known.strings),
                valueFor(doc, known, s.additionalProperties, chaos, depth + 1),
                { maxKeys: 3 },
              ),
            )
            .map(([a, b]) => ({ ...b, ...a }))
        : record,
    );
  }
  if (types.includes('array')) shaped.push(fc.array(valueFor(doc, known, s.items, chaos, depth + 1), { maxLength: 3 }));
  if (types.includes('string') && !s.enum)
    shaped.push(plausibleText(s.format === 'uuid' ? known.uuids : known.strings));
  if (types.includes('integer') || types.includes('number')) {
    // Numbers a schema without bounds lets through but a database column may not hold.
    const edges = [s.minimum, s.maximum].filter((x) => typeof x === 'number').flatMap((x: number) => [x, x - 1, x + 1]);
    shaped.push(
      fc.oneof(
        fc.constantFrom(0, 1, 2, ...edges),
        fc.integer({ min: -5, max: 1000 }),
        fc.constantFrom(2147483648, 9999999999, 9007199254740991, 1e300, 1.5, -1),
      ),
    );
  }
  if (types.includes('boolean')) shaped.push(fc.boolean());
  if (!shaped.length) return chaos ? nastyJson : fc.oneof(plausibleText(known.strings), fc.integer({ min: 0, max: 3 }));
  return chaos
    ? fc.oneof({ weight: 3, arbitrary: fc.oneof(...shaped) }, { weight: 1, arbitrary: nastyJson })
    : fc.oneof(...shaped);
}

/** Percent-encodes UTF-8 bytes (an unpaired surrogate becomes U+FFFD, as any client would send it). */
const encode = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

const ODD_SEGMENTS = [
  '%00',
  'a%00b',
  '%',
  '%zz',
  '%ED%A0%80',
  '%FF',
  '..',
  '%2e%2e',
  '%2F',
  '99999999999999999999',
  '2147483648',
  '-1',
  '1.5',
  '1e3',
  'x'.repeat(3000),
];

function pathParam(known: Known, name: string, schema: Schema, chaos: boolean): fc.Arbitrary<string> {
  const plausible = known.params[name] ?? (schema.format === 'uuid' ? known.uuids : known.strings);
  if (!chaos) return plausibleText(plausible).map(encode);
  return fc.oneof(
    { weight: 3, arbitrary: plausibleText(plausible).map(encode) },
    { weight: 2, arbitrary: fc.constantFrom(...ODD_SEGMENTS) },
    { weight: 2, arbitrary: nastyString.map(encode) },
  );
}

function queryValue(doc: Schema, known: Known, schema: Schema, chaos: boolean): fc.Arbitrary<string[]> {
  const one = valueFor(doc, known, schema, chaos).map((v) =>
    typeof v === 'string' ? v : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? ''),
  );
  if (!chaos) return one.map((v) => [v]);
  return fc.oneof(
    { weight: 4, arbitrary: one.map((v) => [v]) },
    { weight: 1, arbitrary: fc.array(one, { minLength: 2, maxLength: 3 }) },
  );
}

const authorization = (known: Known, chaos: boolean) =>
  fc.oneof(
    { weight: chaos ? 6 : 20, arbitrary: fc.constant(`Bearer ${known.tokens.admin}`) },
    { weight: 2, arbitrary: fc.constant(`Bearer ${known.tokens.device}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        'Bearer',
        'Bearer tsk_nope',
        `Bearer ${'ÿ'.repeat(20)}`,
        'Basic YTpi',
        `Bearer ${'a'.repeat(4000)}`,
        `Bearer ${known.tokens.admin} extra`,
      ),
    },
  );

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/merge-patch+json',
    ),
  },
);

/** A body: JSON of the schema's shape or hostile, JSON text that is not JSON, too deep, or over 1 MiB. */
function body(doc: Schema, known: Known, schema: Schema | undefined, chaos: boolean): fc.Arbitrary<string> {
  const json = (schema ? valueFor(doc, known, schema, chaos) : nastyJson).map((v) => JSON.stringify(v) ?? 'null');
  if (!chaos) return json;
  return fc.oneof(
    { weight: 16, arbitrary: json },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '{',
        '{"a":',
        '\u0000',
        'null',
        '1',
        '"x"',
        '{"a":1}garbage',
        `[${'{"a":'.repeat(100)}`,
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(65, 100_000).map((n) => '['.repeat(n) + ']'.repeat(n)) },
    { weight: 1, arbitrary: fc.constant(JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) })) },
  );
}

/** Requests for one operation of the OpenAPI document. */
export function requestsFor(
  doc: Schema,
  known: Known,
  method: string,
  template: string,
  op: Schema,
): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    { weight: 3, arbitrary: requests(doc, known, method, template, op, false) },
    { weight: 2, arbitrary: requests(doc, known, method, template, op, true) },
  );
}

function requests(
  doc: Schema,
  known: Known,
  method: string,
  template: string,
  op: Schema,
  chaos: boolean,
): fc.Arbitrary<FuzzRequest> {
  const params = ((op.parameters ?? []) as Schema[]).filter((p) => p.in === 'path');
  const queries = ((op.parameters ?? []) as Schema[]).filter((p) => p.in === 'query');
  const jsonBody = op.requestBody?.content?.['application/json']?.schema as Schema | undefined;
  const withBody = method !== 'get';
  return fc
    .record({
      path: fc
        .tuple(...params.map((p) => pathParam(known, p.name, resolve(doc, p.schema), chaos)), fc.constant(null))
        .map((values) => params.reduce((path, p, i) => path.replace(`{${p.name}}`, values[i] as string), template)),
      query: fc.tuple(
        fc.record(Object.fromEntries(queries.map((q) => [q.name, queryValue(doc, known, q.schema, chaos)])), {
          requiredKeys: [],
        }),
        chaos ? rarely(fc.tuple(nastyString, nastyString), 4) : fc.constant(null),
      ),
      authorization: authorization(known, chaos),
      contentType: chaos ? contentType : fc.constant('application/json'),
      encoding: chaos ? rarely(fc.constantFrom('gzip', 'deflate', 'br', 'x-nope'), 10) : fc.constant(null),
      body: withBody ? fc.option(body(doc, known, jsonBody, chaos), { freq: jsonBody ? 20 : 3 }) : fc.constant(null),
    })
    .map(({ path, query, authorization: auth, contentType: type, encoding, body: text }) => {
      const pairs = Object.entries(query[0]).flatMap(([k, vs]) =>
        (vs as string[]).map((v) => `${encode(k)}=${encode(v)}`),
      );
      if (query[1]) pairs.push(`${encode(query[1][0])}=${encode(query[1][1])}`);
      const headers: Record<string, string> = auth ? { authorization: auth } : {};
      if (text !== null) {
        headers['content-type'] = type;
        if (encoding) headers['content-encoding'] = encoding;
      }
      return {
        method: method.toUpperCase(),
        path: pairs.length ? `${path}?${pairs.join('&')}` : path,
        headers,
        ...(text !== null ? { body: text } : {}),
      };
    });
}

/** The request as a line to paste into a terminal: `curl -X … 'url' -H … --data-binary …` (bodies cut). */
export function describeRequest(base: string, r: FuzzRequest): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const headers = Object.entries(r.headers)
    .map(([k, v]) => ` -H ${q(`${k}: ${v.length > 200 ? `${v.slice(0, 200)}…(${v.length})` : v}`)}`)
    .join('');
  const body =
    r.body === undefined
      ? ''
      : ` --data-binary ${q(JSON.stringify(r.body.length > 500 ? `${r.body.slice(0, 500)}…(${r.body.length} chars)` : r.body).slice(1, -1))}`;
  return `curl -X ${r.method} ${q(base + r.path)}${headers}${body}`;
}
