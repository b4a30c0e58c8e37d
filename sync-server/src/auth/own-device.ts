import type { Principal } from '../../../shared/protocol/index.ts';
import { HttpError } from '../http/errors.ts';

/**
 * For routes a device token may call about a device: a device reaches only itself. People's tokens
 * pass; the route's access list has already decided whether their role may act.
 */
export function requireOwnDevice(principal: Principal | undefined, deviceId: string): void {
  if (!principal) throw HttpError.of('unauthorized', 'this request needs `Authorization: Bearer <token>`');
  if (principal.role !== 'device') return;
  if (principal.deviceId !== deviceId) throw HttpError.of('forbidden', 'a device token reaches only its own device');
}
