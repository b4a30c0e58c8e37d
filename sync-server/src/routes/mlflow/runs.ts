import { z } from 'zod';
import { RUN_STATUSES, VIEW_TYPES } from '../../services/tracking/entities.ts';
import { nextPage, RunInfoSchema, RunSchema } from './schemas.ts';
import { Empty, experimentId, int64, keyValue, list, mlflowRoute, protoEnum, str, withRunId } from './shared.ts';

const tags = ['mlflow runs'];
const RunAnswer = z.object({ run: RunSchema });
const ByRun = withRunId({});

export const runRoutes = [
  mlflowRoute({
    method: 'post',
    path: '/runs/create',
    summary: 'Start a run in an experiment ("0" when none is given); unnamed runs get a generated name',
    tags,
    input: z.object({
      experiment_id: experimentId.optional(),
      user_id: z.string().nullish(),
      run_name: z.string().nullish(),
      start_time: int64.optional(),
      tags: z.array(keyValue).nullish(),
    }),
    response: RunAnswer,
    write: true,
    run: (store, input, principal) =>
      store.runs.create({
        experiment_id: input.experiment_id,
        user_id: input.user_id || principal.name,
        run_name: input.run_name ?? undefined,
        start_time: input.start_time,
        tags: input.tags ?? undefined,
      }),
  }),
  mlflowRoute({
    method: 'get',
    path: '/runs/get',
    summary: 'A run: its info, the latest value of each metric, its params and tags',
    tags,
    input: ByRun,
    response: RunAnswer,
    run: async (store, input) => ({ run: await store.runs.get(input.run_id) }),
  }),
  mlflowRoute({
    method: 'post',
    path: '/runs/update',
    summary: 'Set the status, end time or name of an active run',
    tags,
    input: withRunId({
      status: protoEnum(RUN_STATUSES).optional(),
      end_time: int64.optional(),
      run_name: z.string().nullish(),
    }),
    response: z.object({ run_info: RunInfoSchema }),
    write: true,
    run: (store, input) =>
      store.runs.update({
        run_id: input.run_id,
        status: input.status,
        end_time: input.end_time,
        run_name: input.run_name ?? undefined,
      }),
  }),
  mlflowRoute({
    method: 'post',
    path: '/runs/delete',
    summary: 'Mark a run deleted (restorable)',
    tags,
    input: ByRun,
    response: Empty,
    write: true,
    run: (store, input) => store.runs.delete(input.run_id),
  }),
  mlflowRoute({
    method: 'post',
    path: '/runs/restore',
    summary: 'Restore a deleted run',
    tags,
    input: ByRun,
    response: Empty,
    write: true,
    run: (store, input) => store.runs.restore(input.run_id),
  }),
  mlflowRoute({
    method: 'post',
    path: '/runs/search',
    summary:
      "Search runs of experiments with MLflow's filter (metrics., params., tags., attributes.), order_by and paging",
    tags,
    input: z.object({
      experiment_ids: list,
      filter: z.string().nullish(),
      run_view_type: protoEnum(VIEW_TYPES).optional(),
      max_results: int64.optional(),
      order_by: list.optional(),
      page_token: z.string().nullish(),
    }),
    response: z.object({ runs: z.array(RunSchema), ...nextPage }),
    run: (store, input) =>
      store.searchRuns({ ...input, filter: input.filter ?? undefined, page_token: input.page_token ?? undefined }),
  }),
  mlflowRoute({
    method: 'post',
    path: '/runs/set-tag',
    summary: 'Set a tag on a run (mlflow.runName renames the run)',
    tags,
    input: withRunId(keyValue.shape),
    response: Empty,
    write: true,
    run: (store, input) => store.runs.setTag(input.run_id, { key: input.key, value: input.value }),
  }),
  mlflowRoute({
    method: 'post',
    path: '/runs/delete-tag',
    summary: 'Delete a tag of a run',
    tags,
    input: withRunId({ key: str }),
    response: Empty,
    write: true,
    run: (store, input) => store.runs.deleteTag(input.run_id, input.key),
  }),
  mlflowRoute({
    method: 'post',
    path: '/runs/log-model',
    summary: "Record a logged model's MLmodel (JSON) in the run's mlflow.log-model.history tag",
    tags,
    input: withRunId({ model_json: z.string() }),
    response: Empty,
    write: true,
    run: (store, input) => store.data.logModel(input.run_id, input.model_json),
  }),
];
