import {
  API_PREFIX,
  CreatedTokenSchema,
  MAX_TOKEN_DAYS,
  RoleSchema,
  ROLES,
  requestJson,
  TokenListSchema,
  TokenSchema,
  tokenStatus,
  type Role,
  type Token,
} from '../../../shared/protocol/index.ts';
import { EXIT, remoteCommand, UsageError } from './client.ts';

const USAGE = `tinysphere tokens list [--json]
       tinysphere tokens create --name NAME --role ${ROLES.join('|')} [--expires-in-days DAYS] [--json]
       tinysphere tokens revoke ID [--json]
Tokens of people and programs (admin only). A new token's secret is printed once. Device tokens are not listed: they are revoked with their device.
--expires-in-days: 1 to ${MAX_TOKEN_DAYS}; without it the token does not expire. The last usable admin token cannot be revoked.
common options: --server URL (or TINYSPHERE_URL, default http://localhost:8080), --token TOKEN (or TINYSPHERE_TOKEN), --json
exit codes: 0 ok, 1 API error (e.g. 409: the last admin token), 2 usage, 3 server unreachable, 4 unauthorized/forbidden, 5 not found`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');

/** The table `tokens list` prints: one token a line, columns padded to their widest cell. */
export function tokenTable(tokens: Token[], now = Date.now()): string {
  const head = ['ID', 'NAME', 'ROLE', 'STATUS', 'CREATED', 'LAST USED', 'EXPIRES'];
  const rows = tokens.map((t) => [
    t.id,
    t.name + (t.bootstrap ? ' (bootstrap)' : ''),
    t.role,
    tokenStatus(t, now),
    day(t.createdAt),
    day(t.lastUsedAt),
    day(t.expiresAt),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows]
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

function days(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_TOKEN_DAYS)
    throw new UsageError(
      `--expires-in-days needs a whole number of days from 1 to ${MAX_TOKEN_DAYS}, got ${JSON.stringify(value)}`,
    );
  return n;
}

function role(value: string | undefined): Role {
  if (value === undefined) throw new UsageError('create needs --role');
  const parsed = RoleSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(value)}`);
  return parsed.data;
}

export const tokens = remoteCommand({
  name: 'tokens',
  summary: 'List, create and revoke the API tokens of people and programs (admin only).',
  usage: USAGE,
  options: { name: { type: 'string' }, role: { type: 'string' }, 'expires-in-days': { type: 'string' } },
  async run(r, sub, rest, values) {
    const base = `${r.url}${API_PREFIX}/tokens`;
    const none = (what: string) => {
      if (rest.length) throw new UsageError(`${what} takes no arguments; unexpected ${JSON.stringify(rest[0])}`);
    };
    switch (sub) {
      case 'list': {
        none('list');
        const { tokens } = await requestJson(base, TokenListSchema, { token: r.token });
        if (values.json) out(JSON.stringify(tokens));
        else out(tokens.length ? tokenTable(tokens) : 'no tokens');
        return EXIT.ok;
      }
      case 'create': {
        none('create');
        const name = (values.name as string | undefined)?.trim();
        if (!name) throw new UsageError('create needs --name (1 to 100 characters)');
        const body = {
          name,
          role: role(values.role as string | undefined),
          expiresInDays: days(values['expires-in-days'] as string | undefined),
        };
        const created = await requestJson(base, CreatedTokenSchema, { token: r.token, method: 'POST', body });
        if (values.json) out(JSON.stringify(created));
        else {
          out(
            `created ${created.role} token "${created.name}" (${created.id})${created.expiresAt ? `, expires ${day(created.expiresAt)} UTC` : ', does not expire'}`,
          );
          out(`secret (shown once, store it now):\n\n  ${created.token}\n`);
        }
        return EXIT.ok;
      }
      case 'revoke': {
        const [id, ...more] = rest;
        if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
          throw new UsageError(
            `revoke needs a token ID (a UUID, see tokens list)${id ? `, got ${JSON.stringify(id)}` : ''}`,
          );
        if (more.length) throw new UsageError(`revoke takes one ID; unexpected ${JSON.stringify(more[0])}`);
        const t = await requestJson(`${base}/${id}`, TokenSchema, { token: r.token, method: 'DELETE' });
        out(
          values.json ? JSON.stringify(t) : `revoked ${t.role} token "${t.name}" (${t.id}) at ${day(t.revokedAt)} UTC`,
        );
        return EXIT.ok;
      }
      default:
        throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is needed (list, create or revoke)');
    }
  },
});
