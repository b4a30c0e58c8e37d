import { z } from 'zod';
import { MetricSchema, nextPage } from './schemas.ts';
import { double, Empty, int64, keyValue, mlflowRoute, str, withRunId } from './shared.ts';

const tags = ['mlflow runs'];
const Metric = z.object({
  key: z.string(),
  value: double,
  timestamp: int64,
  step: int64.optional().transform((s) => s ?? 0),
});

export const metricRoutes = [
  mlflowRoute({
    method: 'post',
    path: '/runs/log-metric',
    summary: 'Append a (value, timestamp, step) point to a metric of a run',
    tags,
    input: withRunId(Metric.shape),
    response: Empty,
    write: true,
    run: (store, { run_id, key, value, timestamp, step }) =>
      store.data.logMetric(run_id, { key, value, timestamp, step }),
  }),
  mlflowRoute({
    method: 'post',
    path: '/runs/log-parameter',
    summary: 'Log a param; params are write-once (another value is INVALID_PARAMETER_VALUE, the same value is fine)',
    tags,
    input: withRunId(keyValue.shape),
    response: Empty,
    write: true,
    run: (store, input) => store.data.logParam(input.run_id, { key: input.key, value: input.value }),
  }),
  mlflowRoute({
    method: 'post',
    path: '/runs/log-batch',
    summary:
      'Log metrics, params and tags at once, all or nothing (at most 1000 metrics, 100 params, 100 tags, 1000 in all)',
    tags,
    input: withRunId({
      metrics: z.array(Metric).nullish(),
      params: z.array(keyValue).nullish(),
      tags: z.array(keyValue).nullish(),
    }),
    response: Empty,
    write: true,
    run: (store, input) =>
      store.data.logBatch(input.run_id, {
        metrics: input.metrics ?? undefined,
        params: input.params ?? undefined,
        tags: input.tags ?? undefined,
      }),
  }),
  mlflowRoute({
    method: 'get',
    path: '/metrics/get-history',
    summary: 'Every point of a metric, oldest first; paged with max_results and page_token',
    tags,
    input: withRunId({ metric_key: str, max_results: int64.optional(), page_token: str.optional() }),
    response: z.object({ metrics: z.array(MetricSchema), ...nextPage }),
    // Protobuf writes an unset max_results as 0; either way the whole history is answered.
    run: (store, input) =>
      store.data.history(input.run_id, input.metric_key, {
        max_results: input.max_results || undefined,
        page_token: input.page_token,
      }),
  }),
];
