import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  counterFamily,
  escapeLabelValue,
  formatLabels,
  gaugeFamily,
  histogramFamily,
} from '../../src/metrics/exposition.ts';
import { DURATION_BUCKETS, HttpMetrics } from '../../src/metrics/registry.ts';

describe('Prometheus exposition', () => {
  it('escapes backslash, double quote and newline in label values', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.equal(formatLabels({ model: 'x"y', version: '2' }), '{model="x\\"y",version="2"}');
    assert.equal(formatLabels({}), '');
  });

  it('writes HELP and TYPE before the samples; HELP escapes backslash and newline only', () => {
    assert.equal(gaugeFamily('g', 'a "b"\nc\\', [{ value: 3 }]), '# HELP g a "b"\\nc\\\\\n# TYPE g gauge\ng 3\n');
    assert.equal(
      counterFamily('c_total', 'h', [
        { labels: { k: 'v' }, value: 1.5 },
        { labels: { k: 'w' }, value: Infinity },
      ]),
      '# HELP c_total h\n# TYPE c_total counter\nc_total{k="v"} 1.5\nc_total{k="w"} +Inf\n',
    );
  });

  it('writes histogram buckets cumulative, ending in +Inf, then _sum and _count', () => {
    const text = histogramFamily('h', 'help', [{ labels: { r: '/x' }, bounds: [0.1, 1], counts: [2, 1, 3], sum: 9.5 }]);
    assert.equal(
      text,
      [
        '# HELP h help',
        '# TYPE h histogram',
        'h_bucket{r="/x",le="0.1"} 2',
        'h_bucket{r="/x",le="1"} 3',
        'h_bucket{r="/x",le="+Inf"} 6',
        'h_sum{r="/x"} 9.5',
        'h_count{r="/x"} 6',
        '',
      ].join('\n'),
    );
  });

  it('HttpMetrics counts by method, route and status and buckets durations by method and route', () => {
    const m = new HttpMetrics();
    m.observe('GET', '/a/:id', 200, 0.003);
    m.observe('GET', '/a/:id', 200, 0.2);
    m.observe('GET', '/a/:id', 404, 20);
    const text = m.render();
    assert.match(text, /^tinysphere_http_requests_total\{method="GET",route="\/a\/:id",status="200"\} 2$/m);
    assert.match(text, /^tinysphere_http_requests_total\{method="GET",route="\/a\/:id",status="404"\} 1$/m);
    const buckets = [
      ...text.matchAll(/^tinysphere_http_request_duration_seconds_bucket\{[^}]*le="([^"]+)"\} (\d+)$/gm),
    ].map((x) => [x[1], Number(x[2])]);
    assert.equal(buckets.length, DURATION_BUCKETS.length + 1);
    assert.deepEqual(buckets[0], ['0.005', 1]);
    assert.deepEqual(
      buckets.find(([le]) => le === '0.25'),
      ['0.25', 2],
    );
    assert.deepEqual(
      buckets.find(([le]) => le === '10'),
      ['10', 2],
    );
    assert.deepEqual(buckets.at(-1), ['+Inf', 3]);
    assert.match(text, /^tinysphere_http_request_duration_seconds_count\{method="GET",route="\/a\/:id"\} 3$/m);
    assert.match(text, /^tinysphere_http_request_duration_seconds_sum\{method="GET",route="\/a\/:id"\} 20\.203$/m);
  });
});
