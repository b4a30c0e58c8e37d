import { z } from 'zod';
import {
  DriftEventLabelSchema,
  DriftEventPageSchema,
  DriftEventQuerySchema,
  DriftEventRecordSchema,
  type Principal,
} from '../../../shared/protocol/index.ts';
import { route } from './define.ts';
import type { EventAction } from '../services/drift-events/index.ts';

const READ = ['operator', 'scientist', 'viewer'] as const;
const WRITE = ['operator', 'scientist'] as const;
const TAGS = ['drift-events'];
const EventParams = z.object({
  deviceId: z.string().uuid('deviceId must be a UUID'),
  eventId: z.string().min(1).max(100),
});

const actor = (p: Principal | undefined) => p?.name ?? 'unknown';

const action = (path: string, summary: string, toAction: (body: unknown) => EventAction, body?: z.ZodType) =>
  route({
    method: 'post',
    path: `/drift-events/:deviceId/:eventId/${path}`,
    summary,
    tags: TAGS,
    access: WRITE,
    params: EventParams,
    ...(body ? { body } : {}),
    response: DriftEventRecordSchema,
    errors: [404, 409],
    handler: ({ params, body: input, principal, services }) =>
      services.driftEvents.act(params.deviceId, params.eventId, toAction(input), actor(principal)),
  });

export const driftEventRoutes = [
  route({
    method: 'get',
    path: '/drift-events',
    summary:
      'Drift events of the fleet, newest first, filtered by model (NAME@VERSION), group, device, feature, status and time; keyset-paged',
    tags: TAGS,
    access: READ,
    query: DriftEventQuerySchema,
    response: DriftEventPageSchema,
    handler: ({ query, services }) => services.driftEvents.list(query),
  }),
  action(
    'acknowledge',
    'Acknowledge a drift event (written into the device document; the device shows it with its next sync)',
    () => ({ kind: 'acknowledge' }),
  ),
  action(
    'false-alarm',
    'Mark a drift event a false alarm: the device resets that detector with its next sync (and may raise its threshold)',
    () => ({ kind: 'false-alarm' }),
  ),
  action(
    'label',
    'Label a drift event (written into the device document)',
    (b) => ({ kind: 'label', label: (b as z.infer<typeof DriftEventLabelSchema>).label }),
    DriftEventLabelSchema,
  ),
];
