import { Invalid } from '../../errors.ts';

/**
 * Tokens of MLflow's search grammar (a small subset of SQL that MLflow reads with sqlparse):
 * identifiers such as metrics.acc, params.`learning rate`, tags."team", attributes.start_time or
 * a bare attribute; quoted strings; numbers; comparators; AND, LIKE, ILIKE, IN, NOT; ( , ).
 */
export type Token =
  | { kind: 'ident'; entity: string | undefined; key: string; text: string }
  | { kind: 'string'; value: string; text: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'op'; value: string; text: string }
  | { kind: 'word'; value: string; text: string }
  | { kind: 'punct'; value: '(' | ')' | ','; text: string };

const KEYWORDS = new Set(['AND', 'OR', 'LIKE', 'ILIKE', 'IN', 'NOT', 'ASC', 'DESC']);
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
// After the dot, an unquoted key runs until whitespace, an operator, a quote or a bracket.
const UNQUOTED_KEY = /[^\s=!<>(),'"`]+/y;
const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/y;
const OPERATOR = /!=|>=|<=|=|>|</y;

/** Reads a quoted run starting at i (the quote itself); a doubled quote (or \') stands for one. */
function readQuoted(src: string, i: number): { value: string; end: number } {
  const quote = src[i]!;
  let value = '';
  let j = i + 1;
  while (j < src.length) {
    const c = src[j]!;
    if (c === quote && src[j + 1] === quote) {
      value += quote;
      j += 2;
    } else if (c === '\\' && src[j + 1] === quote && quote === "'") {
      value += quote;
      j += 2;
    } else if (c === quote) {
      return { value, end: j + 1 };
    } else {
      value += c;
      j += 1;
    }
  }
  throw new Invalid(`Invalid filter '${src}': unterminated quote starting at position ${i}`);
}

function match(re: RegExp, src: string, i: number): string | undefined {
  re.lastIndex = i;
  return re.exec(src)?.[0];
}

/** A part of an identifier: a word or a back-quoted name; double quotes too after the dot. */
function readPart(src: string, i: number, afterDot: boolean): { value: string; end: number } | undefined {
  const c = src[i];
  if (c === '`' || (afterDot && c === '"')) return readQuoted(src, i);
  const text = match(afterDot ? UNQUOTED_KEY : WORD, src, i);
  return text === undefined ? undefined : { value: text, end: i + text.length };
}

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', value: c, text: c });
      i += 1;
    } else if (c === "'" || c === '"') {
      const q = readQuoted(src, i);
      tokens.push({ kind: 'string', value: q.value, text: src.slice(start, q.end) });
      i = q.end;
    } else if (match(OPERATOR, src, i)) {
      const op = match(OPERATOR, src, i)!;
      tokens.push({ kind: 'op', value: op, text: op });
      i += op.length;
    } else if (match(NUMBER, src, i)) {
      const text = match(NUMBER, src, i)!;
      tokens.push({ kind: 'number', value: Number(text), text });
      i += text.length;
    } else {
      const first = readPart(src, i, false);
      if (!first) throw new Invalid(`Invalid filter '${src}': unexpected character '${c}' at position ${i}`);
      i = first.end;
      if (src[i] === '.') {
        const key = readPart(src, i + 1, true);
        if (!key) throw new Invalid(`Invalid identifier '${src.slice(start, i + 1)}': a key must follow the dot`);
        i = key.end;
        tokens.push({ kind: 'ident', entity: first.value, key: key.value, text: src.slice(start, i) });
      } else if (c !== '`' && KEYWORDS.has(first.value.toUpperCase())) {
        tokens.push({ kind: 'word', value: first.value.toUpperCase(), text: first.value });
      } else {
        tokens.push({ kind: 'ident', entity: undefined, key: first.value, text: src.slice(start, i) });
      }
    }
  }
  return tokens;
}
