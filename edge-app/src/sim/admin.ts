import { UsageError } from '../../../shared/cli/command.ts';
import { API_PREFIX, ApiError } from '../../../shared/protocol/index.ts';
import { readFailure } from '../../../shared/sync/http-errors.ts';
import type { FeedModel, ModelSpec } from './csv-feed.ts';

/** The demo model TinySphere registers on its first start (unless DEMO=0). */
export const DEMO_MODEL = 'seattle-weather';

/**
 * The server refused or could not be reached during setup; the message says which call and why.
 * `status` is 0 when no answer came; `detail` is the server's own message.
 */
export class SetupError extends ApiError {
  override name = 'SetupError';
  /** A network failure, 429 or 5xx: worth trying again. */
  readonly retryable: boolean;
  readonly detail: string;
  constructor(
    message: string,
    opts: { retryable?: boolean; status?: number; code?: string; detail?: string; cause?: unknown } = {},
  ) {
    super(opts.status ?? 0, opts.code ?? 'setup', message);
    this.retryable = opts.retryable ?? false;
    this.detail = opts.detail ?? message;
    if (opts.cause !== undefined) this.cause = opts.cause;
  }
}

export interface Deployment {
  id: string;
  model: { name: string; version: number; sha256: string };
  status: string;
}

export interface Setup {
  groupId: string;
  groupName: string;
  /** An enrolment code with one use per simulated device. */
  code: string;
  /** Set by deploy(). */
  deployment?: Deployment;
}

export async function adminCall<T>(
  server: string,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  fetcher: typeof fetch = fetch,
): Promise<T> {
  const url = `${server.replace(/\/+$/, '')}${API_PREFIX}${path}`;
  let res: Response;
  try {
    res = await fetcher(url, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    const cause = (err as Error & { cause?: unknown }).cause;
    throw new SetupError(`${method} ${url}: ${cause ? String(cause) : (err as Error).message}`, {
      retryable: true,
      code: 'network',
      cause: err,
    });
  }
  if (!res.ok) {
    const { text, body } = await readFailure(res);
    const message = body?.error.message ?? text;
    throw new SetupError(`${method} ${path}: HTTP ${res.status} ${message}`, {
      retryable: res.status === 429 || res.status >= 500,
      status: res.status,
      code: body?.error.code ?? 'http',
      detail: message,
    });
  }
  return JSON.parse(await res.text()) as T;
}

/** A fresh group `sim-<time>` and an enrolment code with `devices` uses. */
export async function setUp(server: string, token: string, devices: number, now = new Date()): Promise<Setup> {
  const groupName = `sim-${now.toISOString().replace(/[:.]/g, '-')}`;
  const group = await adminCall<{ id: string }>(server, token, 'POST', '/device-groups', {
    name: groupName,
    description: 'created by tinylcm simulate',
  });
  const code = await adminCall<{ code: string }>(server, token, 'POST', `/device-groups/${group.id}/enrolment-codes`, {
    uses: devices,
    expiresInSeconds: 24 * 3600,
  });
  return { groupId: group.id, groupName, code: code.code };
}

/**
 * The group's running deployment, or — when it has none — a new one of `model` (default: the demo
 * model's `champion`).
 */
export async function deploy(
  server: string,
  token: string,
  groupId: string,
  model: ModelSpec = { name: DEMO_MODEL, alias: 'champion' },
): Promise<Deployment> {
  const { deployments } = await adminCall<{ deployments: Deployment[] }>(
    server,
    token,
    'GET',
    `/deployments?groupId=${groupId}`,
  );
  const running = deployments.find((d) => d.status === 'active' || d.status === 'canary');
  if (running) return running;
  try {
    return await adminCall<Deployment>(server, token, 'POST', '/deployments', {
      groupId,
      model,
      reason: 'tinylcm simulate',
    });
  } catch (err) {
    if (err instanceof SetupError && err.status === 404 && model.name === DEMO_MODEL) {
      throw new SetupError(
        `${err.message} — is the demo model ${DEMO_MODEL} registered? (the server registers it on its first start unless DEMO=0)`,
        { status: err.status, code: err.code, detail: err.detail },
      );
    }
    throw err;
  }
}

/**
 * The registry version `spec` names (an alias resolved through the model's aliases), with its
 * metadata and ONNX inputs. A model, version or alias the server does not have is a UsageError.
 */
export async function resolveModel(server: string, token: string, spec: ModelSpec): Promise<FeedModel> {
  const label = 'version' in spec ? `${spec.name}@${spec.version}` : `${spec.name}:${spec.alias}`;
  const get = async <T>(path: string): Promise<T> => {
    try {
      return await adminCall<T>(server, token, 'GET', path);
    } catch (err) {
      if (err instanceof SetupError && err.status === 404) throw new UsageError(`--model ${label}: ${err.detail}`);
      throw err;
    }
  };
  const name = encodeURIComponent(spec.name);
  let version: number;
  if ('version' in spec) version = spec.version;
  else {
    const model = await get<{ aliases: Record<string, number> }>(`/models/${name}`);
    const v = model.aliases[spec.alias];
    if (v === undefined)
      throw new UsageError(
        `--model ${label}: model ${spec.name} has no alias ${spec.alias} (its aliases: ${Object.keys(model.aliases).join(', ') || 'none'})`,
      );
    version = v;
  }
  const v = await get<FeedModel>(`/models/${name}/versions/${version}`);
  return { name: spec.name, version, metadata: v.metadata ?? {}, inputs: v.inputs };
}

/** Enrols one device with the setup's code; metadata marks it as simulated. */
export async function enrol(
  server: string,
  code: string,
  name: string,
  fetcher?: typeof fetch,
): Promise<{ deviceId: string; token: string }> {
  return adminCall<{ deviceId: string; token: string }>(
    server,
    undefined,
    'POST',
    '/devices/enrol',
    { code, name, metadata: { simulated: true } },
    fetcher,
  );
}
