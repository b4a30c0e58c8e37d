import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mlflowAnswer } from '../../src/http/mlflow-errors.ts';
import { DomainError } from '../../src/services/errors.ts';
import {
  EXPERIMENT_GRAMMAR,
  parseFilter,
  parseOrderBy,
  RUN_GRAMMAR,
} from '../../src/services/tracking/search/filter.ts';
import { page, pageOffset, pageToken } from '../../src/services/tracking/search/paging.ts';
import {
  EXPERIMENT_SCHEMA,
  filterSql,
  orderSql,
  RUN_SCHEMA,
  SqlParams,
} from '../../src/services/tracking/search/sql.ts';

const refused = (fn: () => unknown, pattern?: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DomainError, String(e));
    assert.deepEqual(mlflowAnswer(e), { code: 'INVALID_PARAMETER_VALUE', status: 400 });
    if (pattern) assert.match(e.message, pattern);
    return true;
  });

describe('MLflow filter parser', () => {
  it('reads metrics, params, tags and attributes with their aliases and AND in any case', () => {
    const clauses = parseFilter(
      "metrics.acc >= 0.9 and params.lr = '0.1' AND tags.team LIKE 'ml%' AND attributes.status != 'FAILED' AND attr.start_time < 1000 AND metric.loss<-1e-3",
      RUN_GRAMMAR,
    );
    assert.deepEqual(clauses, [
      { type: 'metric', key: 'acc', comparator: '>=', value: 0.9 },
      { type: 'parameter', key: 'lr', comparator: '=', value: '0.1' },
      { type: 'tag', key: 'team', comparator: 'LIKE', value: 'ml%' },
      { type: 'attribute', key: 'status', comparator: '!=', value: 'FAILED' },
      { type: 'attribute', key: 'start_time', comparator: '<', value: 1000 },
      { type: 'metric', key: 'loss', comparator: '<', value: -0.001 },
    ]);
  });

  it('takes quoted keys (backticks or double quotes), double-quoted values, escaped quotes and bare attributes', () => {
    assert.deepEqual(
      parseFilter(
        "params.`learning rate` = \"0.1\" and tags.\"mlflow.user\" ilike 'A%' and run_name = 'it''s'",
        RUN_GRAMMAR,
      ),
      [
        { type: 'parameter', key: 'learning rate', comparator: '=', value: '0.1' },
        { type: 'tag', key: 'mlflow.user', comparator: 'ILIKE', value: 'A%' },
        { type: 'attribute', key: 'run_name', comparator: '=', value: "it's" },
      ],
    );
    assert.deepEqual(parseFilter('`Run name` = "x" and created > 5', RUN_GRAMMAR), [
      { type: 'attribute', key: 'run_name', comparator: '=', value: 'x' },
      { type: 'attribute', key: 'start_time', comparator: '>', value: 5 },
    ]);
    assert.deepEqual(parseFilter('metrics.val/loss.x < 2', RUN_GRAMMAR), [
      { type: 'metric', key: 'val/loss.x', comparator: '<', value: 2 },
    ]);
  });

  it('reads IN and NOT IN lists for run_id only', () => {
    assert.deepEqual(parseFilter("attributes.run_id IN ('a', 'b') and run_id not in ('c')", RUN_GRAMMAR), [
      { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['a', 'b'] },
      { type: 'attribute', key: 'run_id', comparator: 'NOT IN', value: ['c'] },
    ]);
    refused(() => parseFilter("attributes.status IN ('FAILED')", RUN_GRAMMAR), /Only the 'run_id' attribute/);
    refused(() => parseFilter("run_id = ('a')", RUN_GRAMMAR), /IN or NOT IN/);
    refused(() => parseFilter('run_id IN ()', RUN_GRAMMAR), /ill-formed list/);
    refused(() => parseFilter("run_id IN 'a'", RUN_GRAMMAR), /needs a list/);
  });

  it('an empty filter matches everything', () => {
    assert.deepEqual(parseFilter(undefined, RUN_GRAMMAR), []);
    assert.deepEqual(parseFilter('  ', RUN_GRAMMAR), []);
  });

  it('refuses what MLflow refuses, with INVALID_PARAMETER_VALUE', () => {
    refused(() => parseFilter("metrics.acc = 'high'", RUN_GRAMMAR), /numeric value type for metric/);
    refused(() => parseFilter('params.lr = 0.1', RUN_GRAMMAR), /quoted string value/);
    refused(() => parseFilter("params.lr > '0.1'", RUN_GRAMMAR), /Invalid comparator '>'/);
    refused(() => parseFilter('metrics.acc LIKE 1', RUN_GRAMMAR), /Invalid comparator 'LIKE'/);
    refused(() => parseFilter("attributes.start_time = 'yesterday'", RUN_GRAMMAR), /numeric attribute: start_time/);
    refused(() => parseFilter("attributes.color = 'red'", RUN_GRAMMAR), /Invalid attribute key 'color'/);
    refused(() => parseFilter("things.x = 'a'", RUN_GRAMMAR), /Invalid entity type 'things'/);
    refused(() => parseFilter("datasets.name = 'a'", RUN_GRAMMAR), /dataset search is not supported/);
    refused(() => parseFilter('metrics.a > 1 OR metrics.b > 1', RUN_GRAMMAR), /only AND/);
    refused(() => parseFilter('metrics.a > 1 metrics.b > 1', RUN_GRAMMAR), /Invalid clause/);
    refused(() => parseFilter('metrics.a >', RUN_GRAMMAR), /expected a value/);
    refused(() => parseFilter("params.a = 'open", RUN_GRAMMAR), /unterminated quote/);
    refused(() => parseFilter('(metrics.a > 1)', RUN_GRAMMAR), /expected an identifier/);
    refused(() => parseFilter('metrics.a > 1; DROP TABLE mlflow_runs', RUN_GRAMMAR), /unexpected character ';'/);
  });

  it('refuses times (bigint milliseconds) that are fractions or beyond 2^53, where the database would fail', () => {
    for (const n of ['1.5', '1e300', '99999999999999999999', '-1e20']) {
      refused(
        () => parseFilter(`attributes.start_time > ${n}`, RUN_GRAMMAR),
        /Expected an integer for numeric attribute: start_time/,
      );
      refused(() => parseFilter(`attributes.end_time < ${n}`, RUN_GRAMMAR), /numeric attribute: end_time/);
      refused(() => parseFilter(`creation_time >= ${n}`, EXPERIMENT_GRAMMAR), /numeric attribute: creation_time/);
      refused(() => parseFilter(`last_update_time != ${n}`, EXPERIMENT_GRAMMAR), /numeric attribute: last_update_time/);
    }
    assert.equal(parseFilter('attributes.start_time > 1e3', RUN_GRAMMAR)[0]!.value, 1000);
    assert.equal(
      parseFilter(`creation_time < ${Number.MAX_SAFE_INTEGER}`, EXPERIMENT_GRAMMAR)[0]!.value,
      Number.MAX_SAFE_INTEGER,
    );
    // Metrics are doubles: any number goes.
    assert.equal(parseFilter('metrics.x > 1.5e300', RUN_GRAMMAR)[0]!.value, 1.5e300);
  });

  it('for experiments: name, times and tags only', () => {
    assert.deepEqual(
      parseFilter("name LIKE 'exp%' and tags.owner = 'ana' and creation_time > 10", EXPERIMENT_GRAMMAR),
      [
        { type: 'attribute', key: 'name', comparator: 'LIKE', value: 'exp%' },
        { type: 'tag', key: 'owner', comparator: '=', value: 'ana' },
        { type: 'attribute', key: 'creation_time', comparator: '>', value: 10 },
      ],
    );
    refused(() => parseFilter('metrics.acc > 1', EXPERIMENT_GRAMMAR), /Invalid entity type 'metrics'/);
    refused(() => parseFilter("status = 'x'", EXPERIMENT_GRAMMAR), /Invalid attribute key/);
  });
});

describe('MLflow order_by parser', () => {
  it('reads entity, key and direction (ASC by default)', () => {
    assert.deepEqual(
      parseOrderBy(
        ['metrics.acc DESC', 'attributes.start_time asc', 'params.`my param`', 'experiment_id'],
        RUN_GRAMMAR,
      ),
      [
        { type: 'metric', key: 'acc', ascending: false },
        { type: 'attribute', key: 'start_time', ascending: true },
        { type: 'parameter', key: 'my param', ascending: true },
        { type: 'attribute', key: 'experiment_id', ascending: true },
      ],
    );
  });

  it('refuses bad directions, extra words, unknown attributes and duplicates', () => {
    refused(() => parseOrderBy(['metrics.acc UP'], RUN_GRAMMAR), /Invalid ordering key/);
    refused(() => parseOrderBy(['metrics.acc DESC ASC'], RUN_GRAMMAR), /Could not be parsed/);
    refused(() => parseOrderBy(['attributes.color'], RUN_GRAMMAR), /Invalid attribute key/);
    refused(() => parseOrderBy(['metrics.acc', 'metrics.acc DESC'], RUN_GRAMMAR), /duplicate fields/);
    refused(() => parseOrderBy(['tags.x'], EXPERIMENT_GRAMMAR), /Invalid entity type 'tags'/);
  });
});

describe('search SQL builder', () => {
  it('puts every value in parameters and only whitelisted names in the SQL text', () => {
    const p = new SqlParams();
    const evil = "x'; DROP TABLE mlflow_runs; --";
    const sql = filterSql(
      parseFilter(
        `params.\`${evil}\` = '${evil.replaceAll("'", "''")}' and metrics.acc > 0.5 and run_id IN ('a','b') and status = 'FINISHED'`,
        RUN_GRAMMAR,
      ),
      RUN_SCHEMA,
      p,
    );
    assert.deepEqual(sql, [
      'EXISTS (SELECT 1 FROM mlflow_params f WHERE f.run_id = r.run_id AND f.key = $1 AND f.value = $2)',
      'EXISTS (SELECT 1 FROM mlflow_latest_metrics f WHERE f.run_id = r.run_id AND f.key = $3 AND f.value > $4)',
      'r.run_id = ANY($5::text[])',
      'r.status = $6',
    ]);
    assert.deepEqual(p.values, [evil, evil, 'acc', 0.5, ['a', 'b'], 'FINISHED']);
    assert.ok(!sql.join(' ').includes('DROP'));
  });

  it('maps != to <> and NOT IN to a negated ANY', () => {
    const p = new SqlParams();
    assert.deepEqual(filterSql(parseFilter("tags.a != 'x' and run_id NOT IN ('z')", RUN_GRAMMAR), RUN_SCHEMA, p), [
      'EXISTS (SELECT 1 FROM mlflow_tags f WHERE f.run_id = r.run_id AND f.key = $1 AND f.value <> $2)',
      'NOT (r.run_id = ANY($3::text[]))',
    ]);
  });

  it('orders with joins per metric/param/tag key, missing values last and metric NaN before missing', () => {
    const p = new SqlParams();
    p.add('already there');
    const { joins, orderBy } = orderSql(
      parseOrderBy(['metrics.acc DESC', 'tags.t', 'attributes.end_time'], RUN_GRAMMAR),
      RUN_SCHEMA,
      p,
    );
    assert.deepEqual(joins, [
      'LEFT JOIN mlflow_latest_metrics o0 ON o0.run_id = r.run_id AND o0.key = $2',
      'LEFT JOIN mlflow_tags o1 ON o1.run_id = r.run_id AND o1.key = $3',
    ]);
    assert.deepEqual(orderBy, [
      "CASE WHEN o0.value IS NULL THEN 2 WHEN o0.value = 'NaN' THEN 1 ELSE 0 END",
      'o0.value DESC NULLS LAST',
      'o1.value ASC NULLS LAST',
      'r.end_time ASC NULLS LAST',
    ]);
    assert.deepEqual(p.values, ['already there', 'acc', 't']);
  });

  it('builds experiment filters on the experiments table and its tags', () => {
    const p = new SqlParams();
    assert.deepEqual(
      filterSql(parseFilter("name ILIKE '%a%' and tags.k = 'v'", EXPERIMENT_GRAMMAR), EXPERIMENT_SCHEMA, p),
      [
        'e.name ILIKE $1',
        'EXISTS (SELECT 1 FROM mlflow_experiment_tags f WHERE f.experiment_id = e.experiment_id AND f.key = $2 AND f.value = $3)',
      ],
    );
  });
});

describe('page tokens', () => {
  it("round-trip an offset in MLflow's format and refuse garbage", () => {
    assert.equal(Buffer.from(pageToken(40), 'base64').toString(), '{"offset":40}');
    assert.equal(pageOffset(pageToken(40)), 40);
    assert.equal(pageOffset(undefined), 0);
    refused(() => pageOffset('not-a-token'), /Invalid page token/);
    refused(() => pageOffset(Buffer.from('{"offset":-1}').toString('base64')), /Invalid page token/);
  });

  it('a next token only when a row beyond the page exists', () => {
    assert.deepEqual(page([1, 2, 3], 0, 3), { items: [1, 2, 3] });
    const p = page([1, 2, 3, 4], 10, 3);
    assert.deepEqual(p.items, [1, 2, 3]);
    assert.equal(pageOffset(p.next_page_token), 13);
  });
});
