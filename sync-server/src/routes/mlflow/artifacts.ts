import { z } from 'zod';
import { HttpError } from '../../http/errors.ts';
import { route } from '../define.ts';
import { FileInfoSchema } from './schemas.ts';
import { Empty, READ, str, withRunId, WRITE } from './shared.ts';

const tags = ['mlflow artifacts'];
const PathParams = z.object({ path: z.string({ error: 'an artifact path is required after /artifacts/' }) });
const ListAnswer = z.object({ files: z.array(FileInfoSchema) });

/** artifacts/list of the tracking API (under /api/2.0/mlflow): a run's artifacts. */
export const runArtifactRoutes = [
  route({
    method: 'get',
    path: '/artifacts/list',
    summary: "List a run's artifacts under a path (relative to the run's artifact root)",
    tags,
    access: READ,
    query: withRunId({ path: str.optional() }),
    response: ListAnswer.extend({ root_uri: z.string() }),
    errors: [404],
    handler: ({ query, services }) => services.tracking.listRunArtifacts(query.run_id, query.path),
  }),
];

/**
 * MLflow's proxied artifact store, under /api/2.0/mlflow-artifacts. Runs' artifact_uri is
 * `mlflow-artifacts:/<experiment_id>/<run_id>/artifacts`; clients resolve it to these routes.
 */
export const artifactRoutes = [
  route({
    method: 'get',
    path: '/artifacts',
    summary: 'List the files and directories directly under a path',
    tags,
    access: READ,
    query: z.object({ path: str.optional() }),
    response: ListAnswer,
    handler: async ({ query, services }) => ({ files: await services.tracking.artifacts.list(query.path) }),
  }),
  route({
    method: 'get',
    path: '/artifacts/{*path}',
    summary: 'Download an artifact',
    tags,
    access: READ,
    params: PathParams,
    response: null,
    errors: [404],
    raw: true,
    async handler({ params, services, ctx }) {
      const size = await services.tracking.artifacts.size(params.path);
      const name = params.path.split('/').at(-1) ?? 'artifact';
      // Always an attachment of an opaque type: artifacts are user content and must not render in the browser.
      ctx.set('Content-Disposition', `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"`);
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.status = 200;
      ctx.type = 'application/octet-stream';
      ctx.length = size;
      // HEAD gets the headers only: a stream opened for it would be left unread.
      if (ctx.method !== 'HEAD') ctx.body = await services.tracking.artifacts.open(params.path);
    },
  }),
  route({
    method: 'put',
    path: '/artifacts/{*path}',
    summary: 'Upload an artifact: the raw request body, whose Content-Length is required',
    tags,
    access: WRITE,
    params: PathParams,
    requestBody: { contentType: 'application/octet-stream', schema: { type: 'string', format: 'binary' } },
    response: Empty,
    errors: [411, 413],
    async handler({ params, services, ctx }) {
      const length = ctx.get('content-length');
      if (!/^\d+$/.test(length))
        throw new HttpError(
          411,
          'length_required',
          'an artifact upload needs a Content-Length header (chunked uploads are not accepted)',
        );
      const size = Number(length);
      if (size > services.uploads.maxBytes) {
        throw HttpError.of(
          'payload_too_large',
          `the artifact (${size} bytes) is larger than the limit of ${services.uploads.maxBytes} bytes (MAX_UPLOAD_BYTES)`,
        );
      }
      await services.tracking.artifacts.put(params.path, ctx.req, size);
      return {};
    },
  }),
  route({
    method: 'delete',
    path: '/artifacts/{*path}',
    summary: 'Delete an artifact, or a directory with everything under it',
    tags,
    access: WRITE,
    params: PathParams,
    response: Empty,
    handler: async ({ params, services }) => {
      await services.tracking.artifacts.delete(params.path);
      return {};
    },
  }),
];
