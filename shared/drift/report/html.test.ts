import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeDriftReport,
  escapeHtml,
  formatNumber,
  MAX_CHART_CATEGORIES,
  renderDriftReportHtml,
  renderDriftReportText,
} from './index.ts';
import type { CsvTable } from './index.ts';

function table(header: string[], rows: string[][]): CsvTable {
  return { header, rows, lines: rows.map((_, i) => i + 2) };
}

const EVIL = '<script>alert("x")</script>&\'';
const ref = table(
  ['x', EVIL, 'plain'],
  Array.from({ length: 60 }, (_, i) => [String(i / 10), i % 2 ? '<b>bold</b>' : 'a&b', i % 3 ? 'p' : 'q']),
);
const cur = table(
  ['x', EVIL, 'plain', '<i>only current</i>'],
  Array.from({ length: 50 }, (_, i) => [String(i / 10 + 3), i % 2 ? '"quoted"' : 'a&b', i % 3 ? 'p' : 'q', '1']),
);
const report = computeDriftReport(ref, cur);
const html = renderDriftReportHtml(report, {
  referenceName: 'ref <1>.csv',
  currentName: 'cur&.csv',
  generatedAt: '2025-01-01T00:00:00Z',
});

test('escapeHtml escapes the five special characters', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('every user string is escaped: column names, categories, file names', () => {
  assert.ok(!html.includes('<script'), 'no script element, not even from a column name');
  assert.ok(!html.includes('<b>bold'));
  assert.ok(!html.includes('<i>only'));
  assert.ok(html.includes(escapeHtml(EVIL)));
  assert.ok(html.includes('&lt;b&gt;bold&lt;/b&gt;'));
  assert.ok(html.includes('ref &lt;1&gt;.csv') && html.includes('cur&amp;.csv'));
  assert.ok(html.includes(escapeHtml(JSON.stringify('<i>only current</i>'))), 'ignored column listed, escaped');
  // Nothing but the report's own markup: every '<' opens one of these elements.
  const tags = new Set([...html.matchAll(/<\/?([a-zA-Z!][\w-]*)/g)].map((m) => m[1]!.toLowerCase()));
  const allowed = [
    '!doctype',
    'html',
    'head',
    'meta',
    'title',
    'style',
    'body',
    'main',
    'h1',
    'h2',
    'p',
    'code',
    'div',
    'strong',
    'table',
    'tr',
    'th',
    'td',
    'a',
    'span',
    'section',
    'svg',
    'line',
    'text',
    'rect',
    'footer',
  ];
  for (const t of tags) assert.ok(allowed.includes(t), `unexpected element <${t}>`);
});

test('self-contained: no http(s) references, no scripts, no external resources', () => {
  assert.ok(!/https?:\/\//i.test(html));
  assert.ok(!/<script|<link|<img|<iframe|@import|url\(/i.test(html));
  assert.ok(html.startsWith('<!doctype html>'));
});

test('summary at the top, a verdict and an inline SVG chart per column', () => {
  const summary = html.indexOf('Dataset drift:');
  assert.ok(summary > 0 && summary < html.indexOf('<section'));
  assert.match(html, /Dataset drift: (detected|not detected)<\/strong> — \d of 3 columns drifted/);
  assert.equal((html.match(/<section class="column"/g) ?? []).length, 3);
  assert.equal((html.match(/<svg /g) ?? []).length, 3);
  assert.ok(html.includes(formatNumber(report.columns.x!.test.score)));
});

test('charts cap the number of category bars', () => {
  const many = table(
    ['c'],
    Array.from({ length: 200 }, (_, i) => [`cat${i % 80}`]),
  );
  const h = renderDriftReportHtml(computeDriftReport(many, many));
  assert.ok(h.includes(`(${80 - MAX_CHART_CATEGORIES} other categories)`));
});

test('text table: one row per column, verdicts, ignored columns, no raw control characters', () => {
  const t = renderDriftReportText(report);
  assert.match(t, /^Dataset drift: (YES|no) \(\d of 3 columns drifted/);
  assert.match(t, /\nx +numeric +60 +50 +KS p-value .* DRIFT\n/);
  assert.ok(t.includes('not compared: <i>only current</i>'));
  const odd = computeDriftReport(table(['a\nb'], [['1'], ['2']]), table(['a\nb'], [['1'], ['2']]));
  assert.ok(renderDriftReportText(odd).includes('"a\\nb"'));
});
