import type { Principal } from '../../../shared/protocol/index.ts';
import { Forbidden, Unauthorized } from '../services/errors.ts';

/**
 * For routes a device token may call about a device: a device reaches only itself. People's tokens
 * pass; the route's access list has already decided whether their role may act.
 */
/**
 * For routes only a device calls about itself (`/devices/me/…`): the calling device's id. Admins pass
 * every access list, but have no device of their own; `does` completes "only a device token …".
 */
export function callerDevice(principal: Principal | undefined, does: string): string {
  if (principal?.role !== 'device' || !principal.deviceId) throw new Forbidden(`only a device token ${does}`);
  return principal.deviceId;
}

export function requireOwnDevice(principal: Principal | undefined, deviceId: string): void {
  if (!principal) throw new Unauthorized('this request needs `Authorization: Bearer <token>`');
  if (principal.role !== 'device') return;
  if (principal.deviceId !== deviceId) throw new Forbidden('a device token reaches only its own device');
}
