import type { Principal, Role } from '../../shared/protocol/index.ts';

/**
 * What each role may do, mirroring the server's route access lists (sync-server/src/routes): the
 * console hides or disables what a role may not do, and the server refuses it anyway.
 */
const RULES = {
  deploy: ['operator'],
  manageDevices: ['operator'],
  uploadModel: ['scientist'],
  editModel: ['scientist'],
  editEvents: ['operator', 'scientist'],
} as const satisfies Record<string, readonly Role[]>;
export type Action = keyof typeof RULES;

/** The signed-in principal, set by the root element; pages read it when they render. */
export const session: { principal: Principal | undefined } = { principal: undefined };

export function can(action: Action, p = session.principal): boolean {
  if (!p) return false;
  return p.role === 'admin' || (RULES[action] as readonly string[]).includes(p.role);
}
