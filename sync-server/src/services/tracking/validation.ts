import { Invalid } from '../errors.ts';

/** MLflow's limits (mlflow/utils/validation.py). */
export const LIMITS = {
  metricsPerBatch: 1000,
  paramsTagsPerBatch: 100,
  entitiesPerBatch: 1000,
  paramValue: 6000,
  tagValue: 5000,
  entityKey: 250,
  experimentName: 500,
  experimentTagKey: 250,
  experimentTagValue: 5000,
} as const;

// Python's \w is Unicode-aware: letters, marks, digits and underscore.
const VALID_NAME = /^[\p{L}\p{M}\p{N}_/.\- ]*$/u;
const BAD_CHARACTERS =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).';

/** posixpath.normpath, enough to tell whether a name would resolve to another name as a path. */
function normpath(p: string): string {
  if (p === '') return '.';
  const absolute = p.startsWith('/');
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..' && out.length > 0 && out.at(-1) !== '..') out.pop();
    else if (s !== '..' || !absolute) out.push(s);
  }
  return (absolute ? '/' : '') + out.join('/') || (absolute ? '/' : '.');
}

export function checkLength(what: string, limit: number, value: string): void {
  if (value.length > limit)
    throw new Invalid(
      `${what} '${value.slice(0, 250)}' had length ${value.length}, which exceeded length limit of ${limit}`,
    );
}

/** Metric, param and tag keys may name files in some stores, so they must be plain relative paths. */
export function checkKey(kind: 'metric' | 'parameter' | 'tag', key: string): void {
  if (!VALID_NAME.test(key)) throw new Invalid(`Invalid ${kind} name: '${key}'. ${BAD_CHARACTERS}`);
  const norm = normpath(key);
  if (norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/')) {
    throw new Invalid(
      `Invalid ${kind} name: '${key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${norm}'`,
    );
  }
  checkLength(`${kind[0]!.toUpperCase()}${kind.slice(1)} key`, LIMITS.entityKey, key);
}

export function checkParam(key: string, value: string): void {
  checkKey('parameter', key);
  checkLength('Param value', LIMITS.paramValue, value);
}

export function checkTag(key: string, value: string): void {
  checkKey('tag', key);
  checkLength('Tag value', LIMITS.tagValue, value);
}

export function checkExperimentTag(key: string, value: string): void {
  checkKey('tag', key);
  checkLength('Tag key', LIMITS.experimentTagKey, key);
  checkLength('Tag value', LIMITS.experimentTagValue, value);
}

export function checkMetric(m: { key: string; value: number; timestamp: number; step: number }): void {
  checkKey('metric', m.key);
  if (typeof m.value !== 'number')
    throw new Invalid(
      `Got invalid value ${m.value} for metric '${m.key}'. Please specify value as a valid double (64-bit floating point)`,
    );
  if (!Number.isSafeInteger(m.timestamp) || m.timestamp < 0) {
    throw new Invalid(
      `Got invalid timestamp ${m.timestamp} for metric '${m.key}' (value=${m.value}). Timestamp must be a nonnegative long (64-bit integer)`,
    );
  }
  if (!Number.isSafeInteger(m.step))
    throw new Invalid(
      `Got invalid step ${m.step} for metric '${m.key}' (value=${m.value}). Step must be a valid long (64-bit integer).`,
    );
}

export function checkExperimentName(name: string): void {
  if (!name) throw new Invalid(`Invalid experiment name: '${name}'`);
  if (name.length > LIMITS.experimentName)
    throw new Invalid(`Experiment name exceeds the maximum length of ${LIMITS.experimentName} characters`);
}

export function checkBatchLimits(metrics: number, params: number, tags: number): void {
  const limit = (what: string, max: number, n: number) => {
    if (n > max) {
      throw new Invalid(
        `A batch logging request can contain at most ${max} ${what}. Got ${n} ${what}. Please split up ${what} across multiple requests and try again.`,
      );
    }
  };
  limit('metrics', LIMITS.metricsPerBatch, metrics);
  limit('params', LIMITS.paramsTagsPerBatch, params);
  limit('tags', LIMITS.paramsTagsPerBatch, tags);
  limit('metrics, params, and tags', LIMITS.entitiesPerBatch, metrics + params + tags);
}
