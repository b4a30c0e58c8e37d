import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ApiError } from '../../../shared/protocol/index.ts';
import { UsageError, type Command } from '../../../shared/cli/command.ts';

export { UsageError };

/** Where a CLI talks to TinySphere: flags first, then TINYSPHERE_URL / TINYSPHERE_TOKEN. */
export interface Remote {
  url: string;
  token: string | undefined;
}

export function remote(flags: { server?: string | undefined; token?: string | undefined }, env = process.env): Remote {
  const url = (flags.server ?? env.TINYSPHERE_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
  return { url, token: flags.token ?? env.TINYSPHERE_TOKEN };
}

/** Exit codes scripts can rely on (README, CLI section). */
export const EXIT = { ok: 0, apiError: 1, usage: 2, unreachable: 3, unauthorized: 4, notFound: 5 } as const;

export function exitCodeFor(err: unknown): number {
  if (!(err instanceof ApiError)) return EXIT.apiError;
  if (err.status === 0) return EXIT.unreachable;
  if (err.status === 401 || err.status === 403) return EXIT.unauthorized;
  if (err.status === 404) return EXIT.notFound;
  return EXIT.apiError;
}

/** How a remote command reports a failure: usage errors with the usage text, API errors with status and code. */
export function reportFailure(command: string, usage: string, err: unknown): number {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`tinysphere ${command}: ${(err as Error).message}\nusage: ${usage}\n`);
    return EXIT.usage;
  }
  process.stderr.write(
    `tinysphere ${command}: ${err instanceof ApiError ? `${err.message}${err.status ? ` (HTTP ${err.status}, ${err.code})` : ''}` : (err as Error).message}\n`,
  );
  return exitCodeFor(err);
}

export type Flags = Record<string, string | boolean | undefined> & { json: boolean };

/**
 * A `tinysphere <name> <subcommand> …` command that talks to a server: the common options
 * (--server, --token, --json) plus its own, the remote resolved, and every failure reported with
 * its exit code — so each command only says what its subcommands do.
 */
export function remoteCommand(spec: {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(r: Remote, sub: string | undefined, rest: string[], flags: Flags): Promise<number>;
}): Command {
  return {
    summary: spec.summary,
    usage: spec.usage,
    async run(args) {
      try {
        const { values, positionals } = parseArgs({
          args,
          allowPositionals: true,
          options: {
            server: { type: 'string' },
            token: { type: 'string' },
            json: { type: 'boolean', default: false },
            ...spec.options,
          },
        });
        const flags = values as Flags;
        const [sub, ...rest] = positionals;
        return await spec.run(remote(flags as { server?: string; token?: string }), sub, rest, flags);
      } catch (err) {
        return reportFailure(spec.name, spec.usage, err);
      }
    },
  };
}
