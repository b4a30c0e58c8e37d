import { z } from 'zod';
import {
  decodeSyncRequest,
  DocIdSchema,
  encodeSyncAnswer,
  parseDocId,
  SYNC_CONTENT_TYPE,
  SyncAnswerSchema,
  SyncFrameError,
  SyncRequestSchema,
  type SyncFrameRequest,
} from '../../../shared/documents/index.ts';
import { requireOwnDevice } from '../auth/own-device.ts';
import { HttpError } from '../http/errors.ts';
import { readRawBody } from '../http/raw-body.ts';
import { route } from './define.ts';

/** The cap on a binary request, as the JSON body parser's 1 MB caps a JSON one; documents stay far smaller (DESIGN §4). */
export const MAX_SYNC_BODY_BYTES = 1024 * 1024;

const FRAME = {
  type: 'string',
  format: 'binary',
  description: 'a binary sync frame (shared/documents/sync-binary.ts)',
};

export const documentRoutes = [
  route({
    method: 'post',
    path: '/sync/:docId',
    summary: `One exchange of Automerge changes for a document (protocol: shared/documents/sync.ts); JSON, or binary frames (${SYNC_CONTENT_TYPE}, answered in kind); a device token reaches only device:<its id> and writes only what a device owns. Changes over a limit are refused (413 naming it), against who writes what (403 naming the path), out of range (400), or depending on changes the server lacks (409 missing_dependencies: send them along); nothing of a refused request is stored`,
    tags: ['documents'],
    access: ['operator', 'scientist', 'device'],
    params: z.object({ docId: DocIdSchema }),
    body: SyncRequestSchema,
    requestBody: { contentType: SYNC_CONTENT_TYPE, schema: FRAME },
    response: SyncAnswerSchema,
    responseBody: { contentType: SYNC_CONTENT_TYPE, schema: FRAME },
    errors: [400, 403, 404, 409, 413, 415],
    handler: async ({ params, body, principal, services, ctx }) => {
      const { kind, id } = parseDocId(params.docId);
      if (principal?.role === 'device' && kind !== 'device')
        throw HttpError.of('forbidden', 'a device token reaches only its own document');
      requireOwnDevice(principal, id);
      // A device token proves its device exists; anyone else may name one that does not.
      if (principal?.role !== 'device') await services.documents.requireExisting(params.docId);
      const writer = principal?.role === 'device' ? 'device' : 'person';
      // The device's `desired` follows its group's deployment before the answer is computed.
      if (principal?.role === 'device') {
        await services.deployments.reconcile(id);
        await services.deviceConfig.reconcile(id);
      }
      if (ctx.request.is(SYNC_CONTENT_TYPE)) {
        const answer = await services.documents.syncFrame(
          params.docId,
          decodeFrame(await readRawBody(ctx.req, MAX_SYNC_BODY_BYTES, 'the sync frame')),
          writer,
        );
        ctx.type = SYNC_CONTENT_TYPE;
        const bytes = encodeSyncAnswer(answer);
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      }
      if (!body)
        throw HttpError.of(
          'unsupported_media_type',
          `send application/json or ${SYNC_CONTENT_TYPE}; got ${ctx.get('content-type') || 'no content type'}`,
        );
      return services.documents.sync(params.docId, body, writer);
    },
  }),
];

function decodeFrame(bytes: Uint8Array): SyncFrameRequest {
  try {
    return decodeSyncRequest(bytes, MAX_SYNC_BODY_BYTES);
  } catch (err) {
    if (err instanceof SyncFrameError) throw HttpError.of('bad_request', err.message);
    throw err;
  }
}
