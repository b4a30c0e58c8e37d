import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvError, parseCsv } from './reader.ts';

test('plain fields, LF / CRLF / CR record ends, optional final line break', () => {
  for (const text of ['a,b\n1,2\n3,4\n', 'a,b\r\n1,2\r\n3,4\r\n', 'a,b\r1,2\r3,4', 'a,b\n1,2\n3,4']) {
    assert.deepEqual(
      parseCsv(text),
      {
        header: ['a', 'b'],
        rows: [
          ['1', '2'],
          ['3', '4'],
        ],
        lines: [2, 3],
      },
      JSON.stringify(text),
    );
  }
});

test('quoted fields: commas, escaped quotes, line breaks, empty quoted field', () => {
  const t = parseCsv('name,note\r\n"Smith, J.","say ""hi"""\r\n"multi\r\nline",""\r\nplain,x\r\n');
  assert.deepEqual(t.header, ['name', 'note']);
  assert.deepEqual(t.rows, [
    ['Smith, J.', 'say "hi"'],
    ['multi\r\nline', ''],
    ['plain', 'x'],
  ]);
  // Physical lines: the quoted line break makes the third record start on line 5.
  assert.deepEqual(t.lines, [2, 3, 5]);
});

test('empty fields, trailing comma, BOM, blank lines skipped, a quote inside an unquoted field kept', () => {
  const t = parseCsv('\ufeffa,b,c\n,,\n\n1,,3\n\r\n5" tall,x,\n');
  assert.deepEqual(t.header, ['a', 'b', 'c']);
  assert.deepEqual(t.rows, [
    ['', '', ''],
    ['1', '', '3'],
    ['5" tall', 'x', ''],
  ]);
  assert.deepEqual(t.lines, [2, 4, 6]);
  // A line holding "" is a record (one empty field), not a blank line.
  assert.deepEqual(parseCsv('a\n""\n1\n').rows, [[''], ['1']]);
});

test('a header only gives no rows', () => {
  assert.deepEqual(parseCsv('a,b\n'), { header: ['a', 'b'], rows: [], lines: [] });
});

function throwsAt(text: string, line: number | undefined, pattern: RegExp): void {
  assert.throws(
    () => parseCsv(text),
    (e: unknown) => e instanceof CsvError && e.line === line && pattern.test(e.message),
    JSON.stringify(text),
  );
}

test('ragged rows are errors naming the line', () => {
  throwsAt('a,b\n1,2\n1,2,3\n', 3, /^line 3: expected 2 fields \(as in the header\), got 3$/);
  throwsAt('a,b\n1\n', 2, /got 1$/);
  throwsAt('a,b\n"x\ny",1\n1\n', 4, /^line 4: /);
});

test('structural errors: empty file, unterminated quote, text after a quote, bad header', () => {
  throwsAt('', undefined, /empty/);
  throwsAt('\n\r\n\n', undefined, /empty/);
  throwsAt('\ufeff', undefined, /empty/);
  throwsAt('a,b\n1,"open\n2,3\n', 2, /unterminated/);
  throwsAt('a,b\n"x"y,1\n', 2, /after a closing quote/);
  throwsAt('a,,c\n1,2,3\n', 1, /column 2 of the header has an empty name/);
  throwsAt('a,b,a\n1,2,3\n', 1, /duplicate column name "a"/);
});
