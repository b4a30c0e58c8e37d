import { z } from 'zod';

/** Answer shapes of MLflow's REST API, for the OpenAPI document. */
const int64 = z.number().int().describe('milliseconds since the epoch (int64)');
const double = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);

export const KeyValueSchema = z.object({ key: z.string(), value: z.string() }).meta({ id: 'MlflowKeyValue' });

export const ExperimentSchema = z
  .object({
    experiment_id: z.string(),
    name: z.string(),
    artifact_location: z.string(),
    lifecycle_stage: z.enum(['active', 'deleted']),
    last_update_time: int64,
    creation_time: int64,
    tags: z.array(KeyValueSchema),
  })
  .meta({ id: 'MlflowExperiment' });

export const RunInfoSchema = z
  .object({
    run_id: z.string(),
    run_uuid: z.string().describe('deprecated; equal to run_id'),
    run_name: z.string(),
    experiment_id: z.string(),
    user_id: z.string(),
    status: z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']),
    start_time: int64,
    end_time: int64.optional(),
    artifact_uri: z.string().describe('mlflow-artifacts:/<experiment_id>/<run_id>/artifacts'),
    lifecycle_stage: z.enum(['active', 'deleted']),
  })
  .meta({ id: 'MlflowRunInfo' });

export const MetricSchema = z
  .object({ key: z.string(), value: double, timestamp: int64, step: z.number().int() })
  .meta({ id: 'MlflowMetric' });

export const RunSchema = z
  .object({
    info: RunInfoSchema,
    data: z.object({
      metrics: z.array(MetricSchema).describe('the latest value of each metric'),
      params: z.array(KeyValueSchema),
      tags: z.array(KeyValueSchema),
    }),
  })
  .meta({ id: 'MlflowRun' });

export const FileInfoSchema = z
  .object({ path: z.string(), is_dir: z.boolean(), file_size: z.number().int().optional() })
  .meta({ id: 'MlflowFileInfo' });

export const nextPage = {
  next_page_token: z.string().optional().describe('pass as page_token for the next page; absent on the last page'),
};
