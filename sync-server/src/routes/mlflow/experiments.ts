import { z } from 'zod';
import { VIEW_TYPES } from '../../services/tracking/entities.ts';
import { ExperimentSchema, nextPage } from './schemas.ts';
import { Empty, experimentId, int64, keyValue, list, mlflowRoute, protoEnum, str } from './shared.ts';

const tags = ['mlflow experiments'];
const ById = z.object({ experiment_id: experimentId });
const Search = z.object({
  max_results: int64.optional(),
  page_token: str.optional(),
  filter: str.optional(),
  order_by: list.optional(),
  view_type: protoEnum(VIEW_TYPES).optional(),
});
const ExperimentAnswer = z.object({ experiment: ExperimentSchema });
const SearchAnswer = z.object({ experiments: z.array(ExperimentSchema), ...nextPage });

const search = (method: 'get' | 'post') =>
  mlflowRoute({
    method,
    path: '/experiments/search',
    summary: 'Search experiments (filter on name, creation_time, last_update_time, tags.<key>; order_by; paged)',
    tags,
    input: Search,
    response: SearchAnswer,
    run: (store, input) => store.experiments.search(input),
  });

export const experimentRoutes = [
  mlflowRoute({
    method: 'post',
    path: '/experiments/create',
    summary: 'Create an experiment; RESOURCE_ALREADY_EXISTS when the name is taken',
    tags,
    input: z.object({ name: z.string(), artifact_location: z.string().nullish(), tags: z.array(keyValue).nullish() }),
    response: z.object({ experiment_id: z.string() }),
    write: true,
    run: (store, input) =>
      store.experiments.create({
        name: input.name,
        artifact_location: input.artifact_location ?? undefined,
        tags: input.tags ?? undefined,
      }),
  }),
  mlflowRoute({
    method: 'get',
    path: '/experiments/get',
    summary: 'An experiment by id (active or deleted)',
    tags,
    input: ById,
    response: ExperimentAnswer,
    run: (store, input) => store.experiments.get(input.experiment_id),
  }),
  mlflowRoute({
    method: 'get',
    path: '/experiments/get-by-name',
    summary: 'An experiment by name (active or deleted)',
    tags,
    input: z.object({ experiment_name: str }),
    response: ExperimentAnswer,
    run: (store, input) => store.experiments.getByName(input.experiment_name),
  }),
  search('post'),
  search('get'),
  mlflowRoute({
    method: 'post',
    path: '/experiments/update',
    summary: 'Rename an active experiment',
    tags,
    input: ById.extend({ new_name: z.string() }),
    response: Empty,
    write: true,
    run: (store, input) => store.experiments.rename(input.experiment_id, input.new_name),
  }),
  mlflowRoute({
    method: 'post',
    path: '/experiments/delete',
    summary: 'Mark an experiment and its runs deleted (restorable)',
    tags,
    input: ById,
    response: Empty,
    write: true,
    run: (store, input) => store.experiments.delete(input.experiment_id),
  }),
  mlflowRoute({
    method: 'post',
    path: '/experiments/restore',
    summary: 'Restore a deleted experiment and its runs',
    tags,
    input: ById,
    response: Empty,
    write: true,
    run: (store, input) => store.experiments.restore(input.experiment_id),
  }),
  mlflowRoute({
    method: 'post',
    path: '/experiments/set-experiment-tag',
    summary: 'Set a tag on an experiment',
    tags,
    input: ById.extend(keyValue.shape),
    response: Empty,
    write: true,
    run: (store, input) => store.experiments.setTag(input.experiment_id, { key: input.key, value: input.value }),
  }),
  mlflowRoute({
    method: 'post',
    path: '/experiments/delete-experiment-tag',
    summary: 'Delete a tag of an experiment',
    tags,
    input: ById.extend({ key: z.string() }),
    response: Empty,
    write: true,
    run: (store, input) => store.experiments.deleteTag(input.experiment_id, input.key),
  }),
];
