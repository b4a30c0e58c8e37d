import type { Context } from 'koa';
import { z } from 'zod';
import { BatchIdSchema } from '../../../shared/ingest/index.ts';
import type { Principal } from '../../../shared/protocol/index.ts';
import { callerDevice } from '../auth/own-device.ts';
import { HttpError } from '../http/errors.ts';
import { parseMultipart } from '../http/multipart.ts';
import { drainBody } from '../http/raw-body.ts';
import { type ChunkRange, OffsetConflict } from '../services/ingest/resumable.ts';
import { route } from './define.ts';

const IngestAnswerSchema = z
  .object({ batchId: z.string(), records: z.number().int(), duplicate: z.boolean() })
  .meta({ id: 'IngestAnswer' });
const UploadOffsetSchema = z
  .object({
    batchId: z.string(),
    offset: z.number().int().describe('bytes received so far: the next chunk starts here'),
    total: z.number().int().nullable().describe('the package size the first chunk announced'),
  })
  .meta({ id: 'UploadOffset' });
const UploadParams = z.object({ batchId: BatchIdSchema });

/** A batch belongs to the device whose token sent it. */
const deviceOf = (principal: Principal | undefined) => callerDevice(principal, 'uploads log batches');

/** `Content-Range: bytes start-end/total` of a chunk, checked against Content-Length when sent. */
function chunkRange(ctx: Context): ChunkRange {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(ctx.get('content-range').trim());
  if (!m) throw HttpError.of('bad_request', 'a chunk needs `Content-Range: bytes <start>-<end>/<total>`');
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!(start <= end && end < total))
    throw HttpError.of('bad_request', `Content-Range ${start}-${end}/${total} is not a range inside the package`);
  const length = ctx.get('content-length');
  if (length !== '' && Number(length) !== end - start + 1)
    throw HttpError.of('bad_request', `Content-Length ${length} does not match Content-Range ${start}-${end}`);
  return { start, end, total };
}

function answerOffset(ctx: Context, batchId: string, offset: number, total: number | null) {
  ctx.set('Upload-Offset', String(offset));
  return { batchId, offset, total };
}

export const ingestRoutes = [
  route({
    method: 'post',
    path: '/devices/me/batches',
    summary:
      'Upload a log batch (tar.gz package); idempotent by batch id, answered only once stored — 201 new, 200 duplicate',
    tags: ['devices'],
    access: ['device'],
    status: 201,
    response: IngestAnswerSchema,
    errors: [400, 409, 413, 415],
    // Answers itself: 201 for a new batch, 200 for a duplicate.
    raw: true,
    requestBody: {
      contentType: 'multipart/form-data',
      schema: {
        type: 'object',
        required: ['package'],
        properties: {
          package: {
            type: 'string',
            format: 'binary',
            description: 'the batch: tar.gz with manifest.json and records.jsonl',
          },
        },
      },
    },
    async handler({ principal, services, ctx }) {
      const deviceId = deviceOf(principal);
      const upload = await parseMultipart(ctx.req, {
        files: ['package'],
        fields: [],
        maxFileBytes: services.uploads.maxBytes,
        maxFieldBytes: 0,
        stagingDir: services.uploads.stagingDir,
      });
      const file = upload.files.package;
      try {
        if (!file) throw HttpError.of('bad_request', 'the multipart field "package" (the batch) is missing');
        const result = await services.ingest.ingestFile(deviceId, file);
        // A duplicate is acknowledged like the first upload, with 200: nothing new was created.
        ctx.status = result.duplicate ? 200 : 201;
        ctx.body = result;
      } finally {
        await file?.remove();
      }
    },
  }),
  route({
    method: 'get',
    path: '/devices/me/batches/:batchId/upload',
    summary:
      'How much of a resumable batch upload was received (also HEAD): `Upload-Offset` header and JSON; 0 when nothing is staged',
    tags: ['devices'],
    access: ['device'],
    params: UploadParams,
    response: UploadOffsetSchema,
    handler: async ({ params, principal, services, ctx }) => {
      const state = await services.uploads.batches.state(deviceOf(principal), params.batchId);
      return answerOffset(ctx, params.batchId, state.offset, state.total);
    },
  }),
  route({
    method: 'put',
    path: '/devices/me/batches/:batchId/upload',
    summary:
      'One chunk of a large batch (`Content-Range: bytes a-b/total`, raw bytes), appended at the offset received so far: 202 with the new offset, or — for the chunk that completes it — the same answer as the multipart upload (201 new, 200 duplicate). A chunk at another offset: 409 with `Upload-Offset`',
    tags: ['devices'],
    access: ['device'],
    params: UploadParams,
    status: 202,
    response: UploadOffsetSchema,
    errors: [400, 409, 413],
    raw: true,
    requestBody: {
      contentType: 'application/octet-stream',
      schema: { type: 'string', format: 'binary', description: 'bytes a..b of the tar.gz package' },
    },
    async handler({ params, principal, services, ctx }) {
      const deviceId = deviceOf(principal);
      try {
        const answer = await services.uploads.batches.append(
          deviceId,
          params.batchId,
          chunkRange(ctx),
          ctx.req,
          services.uploads.maxBytes,
        );
        if (answer.done) {
          ctx.status = answer.result.duplicate ? 200 : 201;
          ctx.body = answer.result;
        } else {
          ctx.status = 202;
          ctx.body = answerOffset(ctx, params.batchId, answer.offset, answer.total);
        }
      } catch (err) {
        // The offset to continue from travels as a header too, as in the HEAD answer.
        if (err instanceof OffsetConflict) ctx.set('Upload-Offset', String(err.offset));
        throw err;
      } finally {
        await drainBody(ctx.req);
      }
    },
  }),
];
