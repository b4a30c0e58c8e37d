import { z } from 'zod';
import { api } from '../../api.ts';

/** The parts of MLflow's answers the console reads (sync-server/src/routes/mlflow/schemas.ts). */
const KV = z.object({ key: z.string(), value: z.string() });
const Value = z.union([z.number(), z.string()]);
export const ExperimentSchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  lifecycle_stage: z.string(),
  creation_time: z.number(),
  last_update_time: z.number(),
  tags: z.array(KV).default([]),
});
export const MetricSchema = z.object({ key: z.string(), value: Value, timestamp: z.number(), step: z.number() });
export const RunSchema = z.object({
  info: z.object({
    run_id: z.string(),
    run_name: z.string(),
    experiment_id: z.string(),
    user_id: z.string(),
    status: z.string(),
    start_time: z.number(),
    end_time: z.number().optional(),
  }),
  data: z.object({
    metrics: z.array(MetricSchema).default([]),
    params: z.array(KV).default([]),
    tags: z.array(KV).default([]),
  }),
});
export type Experiment = z.infer<typeof ExperimentSchema>;
export type Run = z.infer<typeof RunSchema>;
export type Metric = z.infer<typeof MetricSchema>;

export const PAGE = 20;

export const searchExperiments = (pageToken: string | undefined, signal?: AbortSignal) =>
  api.mlflow(
    '/experiments/search',
    z.object({ experiments: z.array(ExperimentSchema).default([]), next_page_token: z.string().optional() }),
    { max_results: PAGE, ...(pageToken ? { page_token: pageToken } : {}) },
    'POST',
    signal,
  );

export const searchRuns = (experimentId: string, pageToken: string | undefined, signal?: AbortSignal) =>
  api.mlflow(
    '/runs/search',
    z.object({ runs: z.array(RunSchema).default([]), next_page_token: z.string().optional() }),
    { experiment_ids: [experimentId], max_results: PAGE, ...(pageToken ? { page_token: pageToken } : {}) },
    'POST',
    signal,
  );

export const getRun = (runId: string) =>
  api.mlflow('/runs/get', z.object({ run: RunSchema }), { run_id: runId }, 'GET').then((r) => r.run);

export async function metricHistory(runId: string, key: string): Promise<Metric[]> {
  const out: Metric[] = [];
  let token: string | undefined;
  do {
    const page = await api.mlflow(
      '/metrics/get-history',
      z.object({ metrics: z.array(MetricSchema).default([]), next_page_token: z.string().optional() }),
      { run_id: runId, metric_key: key, max_results: 1000, ...(token ? { page_token: token } : {}) },
      'GET',
    );
    out.push(...page.metrics);
    token = page.next_page_token;
  } while (token);
  return out;
}

/** Registered versions made from a run (MLflow's `run_id = '…'` filter). */
export const versionsOfRun = (runId: string) =>
  api
    .mlflow(
      '/model-versions/search',
      z.object({ model_versions: z.array(z.object({ name: z.string(), version: z.string() })).default([]) }),
      { filter: `run_id = '${runId.replaceAll("'", '')}'` },
      'GET',
    )
    .then((r) => r.model_versions);

export const metricValue = (v: Metric['value']): number | null => (typeof v === 'number' ? v : null);
