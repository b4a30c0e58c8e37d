import { z } from 'zod';
import { DocIdSchema, parseDocId, SyncAnswerSchema, SyncRequestSchema, type SyncRequest } from '../../../shared/documents/index.ts';
import { requireOwnDevice } from '../auth/own-device.ts';
import { HttpError } from '../http/errors.ts';
import { route } from '../http/route.ts';
import type { Services } from '../services/index.ts';

export const documentRoutes = [
  route<Services, { docId: string }, unknown, SyncRequest>({
    method: 'post',
    path: '/sync/:docId',
    summary: 'One exchange of Automerge changes for a document (protocol: shared/documents/sync.ts); a device token reaches only device:<its id>',
    tags: ['documents'],
    access: ['operator', 'scientist', 'device'],
    params: z.object({ docId: DocIdSchema }),
    // The JSON body parser caps the size (1 MB); documents stay far smaller (DESIGN §4).
    body: SyncRequestSchema,
    response: SyncAnswerSchema,
    errors: [400, 403],
    handler: ({ params, body, principal, services }) => {
      const { kind, id } = parseDocId(params.docId);
      if (principal?.role === 'device' && kind !== 'device') throw HttpError.of('forbidden', 'a device token reaches only its own document');
      requireOwnDevice(principal, id);
      return services.documents.sync(params.docId, body);
    },
  }),
];
