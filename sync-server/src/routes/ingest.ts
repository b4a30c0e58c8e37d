import { z } from 'zod';
import { HttpError } from '../http/errors.ts';
import { parseMultipart } from '../http/multipart.ts';
import { route } from '../http/route.ts';
import { stagingDir } from '../services/registry/staging.ts';
import type { Services } from '../services/index.ts';

const IngestAnswerSchema = z.object({ batchId: z.string(), records: z.number().int(), duplicate: z.boolean() }).meta({ id: 'IngestAnswer' });

export const ingestRoutes = [
  route<Services>({
    method: 'post',
    path: '/devices/me/batches',
    summary: 'Upload a log batch (tar.gz package); idempotent by batch id, answered only once stored — 201 new, 200 duplicate',
    tags: ['devices'],
    access: ['device'],
    status: 201,
    response: IngestAnswerSchema,
    errors: [409, 413, 415],
    // Answers itself: 201 for a new batch, 200 for a duplicate.
    raw: true,
    requestBody: {
      contentType: 'multipart/form-data',
      schema: { type: 'object', required: ['package'], properties: { package: { type: 'string', format: 'binary', description: 'the batch: tar.gz with manifest.json and records.jsonl' } } },
    },
    async handler({ principal, services, ctx }) {
      // Admins pass every access list, but a batch belongs to the device whose token sent it.
      const deviceId = principal?.deviceId;
      if (principal?.role !== 'device' || !deviceId) throw HttpError.of('forbidden', 'only a device token uploads log batches');
      const upload = await parseMultipart(ctx.req, { files: ['package'], fields: [], maxFileBytes: services.config.maxUploadBytes, maxFieldBytes: 0, stagingDir: stagingDir(services.config) });
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
];
