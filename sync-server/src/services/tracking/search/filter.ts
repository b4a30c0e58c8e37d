import { Invalid } from '../../errors.ts';
import { tokenize, type Token } from './lexer.ts';

export type EntityType = 'metric' | 'parameter' | 'tag' | 'attribute';
export type Comparator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

/** One `key comparator value` of an AND-ed filter, checked against the grammar. */
export interface Clause {
  type: EntityType;
  key: string;
  comparator: Comparator;
  value: string | number | string[];
}

export interface OrderTerm {
  type: EntityType;
  key: string;
  ascending: boolean;
}

/** What one search (runs or experiments) accepts, as in mlflow/utils/search_utils.py. */
export interface Grammar {
  entities: readonly EntityType[];
  /** Entities order_by may name. */
  orderEntities: readonly EntityType[];
  stringAttributes: readonly string[];
  numericAttributes: readonly string[];
  /** Attributes only order_by may name. */
  orderOnlyAttributes: readonly string[];
  /** The one attribute that may be compared with a list (IN / NOT IN). */
  listAttribute: string | undefined;
  aliases: Readonly<Record<string, string>>;
}

const ENTITY_ALIASES: Record<string, EntityType> = {
  metric: 'metric',
  metrics: 'metric',
  parameter: 'parameter',
  parameters: 'parameter',
  param: 'parameter',
  params: 'parameter',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
};

export const RUN_GRAMMAR: Grammar = {
  entities: ['metric', 'parameter', 'tag', 'attribute'],
  orderEntities: ['metric', 'parameter', 'tag', 'attribute'],
  stringAttributes: ['run_id', 'run_name', 'user_id', 'status', 'artifact_uri'],
  numericAttributes: ['start_time', 'end_time'],
  orderOnlyAttributes: ['experiment_id'],
  listAttribute: 'run_id',
  aliases: {
    created: 'start_time',
    Created: 'start_time',
    'run name': 'run_name',
    'Run name': 'run_name',
    'Run Name': 'run_name',
  },
};

export const EXPERIMENT_GRAMMAR: Grammar = {
  entities: ['tag', 'attribute'],
  orderEntities: ['attribute'],
  stringAttributes: ['name'],
  numericAttributes: ['creation_time', 'last_update_time'],
  orderOnlyAttributes: ['experiment_id'],
  listAttribute: undefined,
  aliases: {},
};

const NUMERIC_COMPARATORS: readonly Comparator[] = ['=', '!=', '>', '>=', '<', '<='];
const STRING_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const LIST_COMPARATORS: readonly Comparator[] = ['IN', 'NOT IN'];

function identifier(token: Token | undefined, grammar: Grammar, forOrder: boolean): { type: EntityType; key: string } {
  if (token?.kind !== 'ident')
    throw new Invalid(
      `Invalid clause: expected an identifier such as metrics.<key>, found '${token?.text ?? 'end of input'}'`,
    );
  const type: EntityType | undefined = token.entity === undefined ? 'attribute' : ENTITY_ALIASES[token.entity];
  const entities = forOrder ? grammar.orderEntities : grammar.entities;
  if (!type || !entities.includes(type)) {
    const valid = entities.join(', ');
    throw new Invalid(
      `Invalid entity type '${token.entity}'. Valid entity types are ${valid}${token.entity?.startsWith('dataset') ? ' (dataset search is not supported)' : ''}`,
    );
  }
  const key = type === 'attribute' ? (grammar.aliases[token.key] ?? token.key) : token.key;
  if (type === 'attribute') {
    const valid = [
      ...grammar.stringAttributes,
      ...grammar.numericAttributes,
      ...(forOrder ? grammar.orderOnlyAttributes : []),
    ];
    if (!valid.includes(key))
      throw new Invalid(`Invalid attribute key '${token.key}' specified. Valid keys are ${valid.join(', ')}`);
  }
  return { type, key };
}

function comparator(tokens: Token[], i: number): { comparator: Comparator; next: number } {
  const t = tokens[i];
  if (t?.kind === 'op') return { comparator: t.value as Comparator, next: i + 1 };
  if (t?.kind === 'word' && (t.value === 'LIKE' || t.value === 'ILIKE' || t.value === 'IN'))
    return { comparator: t.value, next: i + 1 };
  if (
    t?.kind === 'word' &&
    t.value === 'NOT' &&
    tokens[i + 1]?.kind === 'word' &&
    tokens[i + 1]!.text.toUpperCase() === 'IN'
  ) {
    return { comparator: 'NOT IN', next: i + 2 };
  }
  throw new Invalid(`Invalid comparison clause: expected a comparator, found '${t?.text ?? 'end of input'}'`);
}

function value(tokens: Token[], i: number): { value: string | number | string[]; next: number } {
  const t = tokens[i];
  if (t?.kind === 'string' || t?.kind === 'number') return { value: t.value, next: i + 1 };
  if (t?.kind === 'punct' && t.value === '(') {
    const items: string[] = [];
    let j = i + 1;
    for (;;) {
      const item = tokens[j];
      if (item?.kind !== 'string')
        throw new Invalid(
          'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.',
        );
      items.push(item.value);
      const sep = tokens[j + 1];
      if (sep?.kind === 'punct' && sep.value === ')') return { value: items, next: j + 2 };
      if (sep?.kind !== 'punct' || sep.value !== ',')
        throw new Invalid(
          'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.',
        );
      j += 2;
    }
  }
  throw new Invalid(`Invalid comparison clause: expected a value, found '${t?.text ?? 'end of input'}'`);
}

/** Checks a clause the way MLflow does: value types and comparators per kind of key. */
function check(clause: Clause, grammar: Grammar): Clause {
  const { type, key, comparator: op, value: v } = clause;
  const numeric = type === 'metric' || (type === 'attribute' && grammar.numericAttributes.includes(key));
  if (numeric) {
    if (typeof v !== 'number')
      throw new Invalid(
        `Expected numeric value type for ${type === 'metric' ? 'metric' : `numeric attribute: ${key}`}. Found ${JSON.stringify(v)}`,
      );
    // Times are bigint milliseconds: a fraction or a number past 2^53 would fail in the database.
    if (type === 'attribute' && !Number.isSafeInteger(v)) {
      throw new Invalid(
        `Expected an integer for numeric attribute: ${key} (milliseconds since the epoch, at most ${Number.MAX_SAFE_INTEGER} in magnitude). Found ${v}`,
      );
    }
    if (!NUMERIC_COMPARATORS.includes(op))
      throw new Invalid(`Invalid comparator '${op}' not one of ${NUMERIC_COMPARATORS.join(', ')}`);
    return clause;
  }
  if (Array.isArray(v)) {
    if (key !== grammar.listAttribute || type !== 'attribute')
      throw new Invalid(
        `Only the '${grammar.listAttribute ?? 'run_id'}' attribute supports comparison with a list of quoted string values.`,
      );
    if (!LIST_COMPARATORS.includes(op)) throw new Invalid(`Invalid comparator '${op}' for a list; use IN or NOT IN`);
    return clause;
  }
  if (typeof v !== 'string')
    throw new Invalid(
      `Expected a quoted string value for ${type === 'attribute' ? 'attributes' : type} (e.g. 'my-value'). Got value ${v}`,
    );
  if (!STRING_COMPARATORS.includes(op)) {
    throw new Invalid(
      LIST_COMPARATORS.includes(op)
        ? `'${op}' needs a list of quoted strings, e.g. ('a', 'b')`
        : `Invalid comparator '${op}' not one of ${STRING_COMPARATORS.join(', ')}`,
    );
  }
  return clause;
}

/** Parses an MLflow filter string into AND-ed clauses; an empty filter matches everything. */
export function parseFilter(filter: string | undefined, grammar: Grammar): Clause[] {
  if (!filter?.trim()) return [];
  const tokens = tokenize(filter);
  const clauses: Clause[] = [];
  let i = 0;
  for (;;) {
    const id = identifier(tokens[i], grammar, false);
    const op = comparator(tokens, i + 1);
    const v = value(tokens, op.next);
    clauses.push(check({ ...id, comparator: op.comparator, value: v.value }, grammar));
    i = v.next;
    const t = tokens[i];
    if (!t) return clauses;
    if (t.kind === 'word' && t.value === 'AND') {
      i += 1;
      continue;
    }
    if (t.kind === 'word' && t.value === 'OR')
      throw new Invalid(`Invalid filter '${filter}': only AND is supported, not OR`);
    throw new Invalid(`Invalid clause(s) in filter string: '${t.text}'`);
  }
}

/** Parses order_by entries such as "metrics.acc DESC" or "attributes.start_time"; ASC by default. */
export function parseOrderBy(orderBy: readonly string[], grammar: Grammar): OrderTerm[] {
  const seen = new Set<string>();
  return orderBy.map((entry) => {
    const tokens = tokenize(entry);
    const id = identifier(tokens[0], grammar, true);
    const dir = tokens[1];
    if (dir && (dir.kind !== 'word' || (dir.value !== 'ASC' && dir.value !== 'DESC')))
      throw new Invalid(`Invalid ordering key in order_by clause '${entry}'.`);
    if (tokens.length > 2) throw new Invalid(`Invalid order_by clause '${entry}'. Could not be parsed.`);
    const field = `${id.type}.${id.key}`;
    if (seen.has(field)) throw new Invalid(`\`order_by\` contains duplicate fields: ${orderBy.join(', ')}`);
    seen.add(field);
    return { ...id, ascending: dir?.kind !== 'word' || dir.value !== 'DESC' };
  });
}
