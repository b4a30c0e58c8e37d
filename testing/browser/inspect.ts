/**
 * A short, Node-like rendering of a value for assertion messages in the browser (where node:util's
 * inspect is missing): enough to see actual against expected, not a full inspect.
 */
const MAX_DEPTH = 4;
const MAX_ITEMS = 30;

export function inspect(value: unknown): string {
  return show(value, 0, new Set());
}

function list(items: string[], total: number, open: string, close: string): string {
  const more = total > items.length ? [`... ${total - items.length} more items`] : [];
  const all = [...items, ...more];
  return all.length ? `${open} ${all.join(', ')} ${close}` : `${open}${close}`;
}

function name(o: object): string {
  return (Object.getPrototypeOf(o) as { constructor?: { name?: string } } | null)?.constructor?.name ?? '';
}

function key(k: PropertyKey): string {
  if (typeof k === 'symbol') return `[${String(k)}]`;
  return /^[A-Za-z_$][\w$]*$/.test(k as string) ? (k as string) : show(k, 0, new Set());
}

function show(v: unknown, depth: number, seen: Set<object>): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function')
    return `[${v.prototype && /^class\b/.test(String(v)) ? 'class' : 'Function'}: ${v.name || '(anonymous)'}]`;
  if (typeof v !== 'object' || v === null) return String(v);
  if (seen.has(v)) return '[Circular *]';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (v instanceof RegExp) return String(v);
  if (v instanceof Error) return v.stack?.startsWith(`${v.name}`) ? `${v.name}: ${v.message}` : String(v);
  if (depth > MAX_DEPTH) return Array.isArray(v) ? '[Array]' : `[${name(v) || 'Object'}]`;
  seen.add(v);
  try {
    const inner = (x: unknown) => show(x, depth + 1, seen);
    if (Array.isArray(v)) return list(v.slice(0, MAX_ITEMS).map(inner), v.length, '[', ']');
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const items = Array.from(v as unknown as ArrayLike<number | bigint>);
      return `${name(v)}(${items.length}) ${list(items.slice(0, MAX_ITEMS).map(inner), items.length, '[', ']')}`;
    }
    if (v instanceof Map) {
      const items = [...v].slice(0, MAX_ITEMS).map(([k, x]) => `${inner(k)} => ${inner(x)}`);
      return `Map(${v.size}) ${list(items, v.size, '{', '}')}`;
    }
    if (v instanceof Set) return `Set(${v.size}) ${list([...v].slice(0, MAX_ITEMS).map(inner), v.size, '{', '}')}`;
    const keys = [...Object.keys(v), ...Object.getOwnPropertySymbols(v)];
    const items = keys.slice(0, MAX_ITEMS).map((k) => `${key(k)}: ${inner((v as Record<PropertyKey, unknown>)[k])}`);
    const prefix =
      Object.getPrototypeOf(v) === null ? '[Object: null prototype] ' : name(v) === 'Object' ? '' : `${name(v)} `;
    return prefix + list(items, keys.length, '{', '}');
  } finally {
    seen.delete(v);
  }
}
