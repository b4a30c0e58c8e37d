import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import {
  API_PREFIX,
  ApiError,
  ModelVersionSchema,
  page,
  RegisteredModelSchema,
  requestJson,
  UploadedVersionSchema,
  isErrorBody,
} from '../../../shared/protocol/index.ts';
import { EXIT, remoteCommand, UsageError, type Flags, type Remote } from './client.ts';

const USAGE = `tinysphere models push NAME FILE.onnx [--metadata META.json] [--reference TRAIN.csv [--label-column COL]]
       tinysphere models reference NAME VERSION TRAIN.csv [--label-column COL]
       tinysphere models list [--search TEXT]
       tinysphere models show NAME
       tinysphere models alias NAME ALIAS VERSION
common options: --server URL (or TINYSPHERE_URL, default http://localhost:8080), --token TOKEN (or TINYSPHERE_TOKEN), --json
exit codes: 0 ok, 1 API error, 2 usage or bad local file, 3 server unreachable, 4 unauthorized/forbidden, 5 not found`;

const out = (line: string) => process.stdout.write(`${line}\n`);

async function fileBlob(file: string) {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`cannot read ${file}`);
  // openAsBlob streams from disk as fetch sends, so large files are never loaded whole.
  return openAsBlob(file);
}

/** Sends a multipart form and answers the parsed JSON body, or throws the server's error. */
async function sendForm(r: Remote, method: string, path: string, form: FormData): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${r.url}${API_PREFIX}${path}`, {
      method,
      body: form,
      headers: r.token ? { authorization: `Bearer ${r.token}` } : {},
    });
  } catch {
    throw new ApiError(0, 'network', `cannot reach ${r.url}`);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok)
    throw isErrorBody(body)
      ? new ApiError(res.status, body.error.code, body.error.message)
      : new ApiError(res.status, 'http', `HTTP ${res.status}`);
  return body;
}

async function addReference(
  form: FormData,
  reference: string | undefined,
  labelColumn: string | undefined,
): Promise<void> {
  if (labelColumn !== undefined && reference === undefined)
    throw new UsageError('--label-column names a column of the --reference CSV');
  if (reference === undefined) return;
  form.set('reference', await fileBlob(reference), path.basename(reference));
  if (labelColumn !== undefined) form.set('labelColumn', labelColumn);
}

async function push(r: Remote, [name, file]: string[], flags: Flags): Promise<number> {
  if (!name || !file) throw new UsageError('push needs NAME and FILE.onnx');
  const form = new FormData();
  form.set('file', await fileBlob(file), path.basename(file));
  const metadataPath = flags.metadata as string | undefined;
  if (metadataPath) form.set('metadata', await (await fileBlob(metadataPath)).text());
  await addReference(form, flags.reference as string | undefined, flags['label-column'] as string | undefined);
  const v = UploadedVersionSchema.parse(
    await sendForm(r, 'POST', `/models/${encodeURIComponent(name)}/versions`, form),
  );
  if (flags.json) out(JSON.stringify(v));
  else {
    out(`${v.name} version ${v.version}  sha256 ${v.sha256}  ${v.size} bytes  opset ${v.opset}`);
    for (const i of v.inputs) out(`  input  ${i.name}: ${i.type}[${(i.shape ?? []).map((d) => d ?? '?').join(', ')}]`);
    for (const o of v.outputs) out(`  output ${o.name}: ${o.type}[${(o.shape ?? []).map((d) => d ?? '?').join(', ')}]`);
  }
  return EXIT.ok;
}

async function reference(r: Remote, [name, version, file]: string[], flags: Flags): Promise<number> {
  if (!name || !version || !file) throw new UsageError('reference needs NAME VERSION TRAIN.csv');
  const form = new FormData();
  form.set('file', await fileBlob(file), path.basename(file));
  const label = flags['label-column'] as string | undefined;
  if (label !== undefined) form.set('labelColumn', label);
  const v = ModelVersionSchema.parse(
    await sendForm(
      r,
      'PUT',
      `/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}/reference`,
      form,
    ),
  );
  const p = v.metadata.referenceProfile as { rows?: number; features?: unknown[] } | undefined;
  out(
    flags.json
      ? JSON.stringify(v)
      : `${v.name} version ${v.version}: reference profile of ${p?.rows ?? 0} rows, ${p?.features?.length ?? 0} features`,
  );
  return EXIT.ok;
}

async function list(r: Remote, search: string | undefined, json: boolean): Promise<number> {
  const Page = page(RegisteredModelSchema, 'RegisteredModelPage');
  const items: z.infer<typeof RegisteredModelSchema>[] = [];
  let token: string | null = null;
  do {
    const q = new URLSearchParams({
      pageSize: '1000',
      ...(search ? { search } : {}),
      ...(token ? { pageToken: token } : {}),
    });
    const p: z.infer<typeof Page> = await requestJson(`${r.url}${API_PREFIX}/models?${q}`, Page, { token: r.token });
    items.push(...p.items);
    token = p.nextPageToken;
  } while (token);
  if (json) out(JSON.stringify(items));
  else if (!items.length) out('no models');
  else
    for (const m of items)
      out(
        `${m.name}  latest ${m.latestVersion ?? '-'}  versions ${m.versionCount}  ${Object.entries(m.aliases)
          .map(([a, v]) => `${a}=${v}`)
          .join(' ')}`,
      );
  return EXIT.ok;
}

async function show(r: Remote, name: string | undefined, json: boolean): Promise<number> {
  if (!name) throw new UsageError('show needs NAME');
  const base = `${r.url}${API_PREFIX}/models/${encodeURIComponent(name)}`;
  const model = await requestJson(base, RegisteredModelSchema, { token: r.token });
  const versions = await requestJson(`${base}/versions?pageSize=1000`, page(ModelVersionSchema, 'ModelVersionPage'), {
    token: r.token,
  });
  if (json) out(JSON.stringify({ ...model, versions: versions.items }));
  else {
    out(`${model.name}${model.description ? ` — ${model.description}` : ''}`);
    for (const v of versions.items)
      out(
        `  v${v.version}  ${v.sha256.slice(0, 12)}  ${v.size} B  stage ${v.stage}  ${v.aliases.join(',')}  ${v.createdAt}`,
      );
  }
  return EXIT.ok;
}

async function alias(r: Remote, [name, aliasName, version]: string[], json: boolean): Promise<number> {
  if (!name || !aliasName || !version || !/^\d+$/.test(version))
    throw new UsageError('alias needs NAME ALIAS VERSION (a number)');
  const model = await requestJson(
    `${r.url}${API_PREFIX}/models/${encodeURIComponent(name)}/aliases/${encodeURIComponent(aliasName)}`,
    RegisteredModelSchema,
    {
      token: r.token,
      method: 'PUT',
      body: { version: Number(version) },
    },
  );
  out(json ? JSON.stringify(model) : `${name}: ${aliasName} → version ${version}`);
  return EXIT.ok;
}

export const models = remoteCommand({
  name: 'models',
  summary: 'Push, list and inspect models in the registry, and move aliases.',
  usage: USAGE,
  options: {
    metadata: { type: 'string' },
    search: { type: 'string' },
    reference: { type: 'string' },
    'label-column': { type: 'string' },
  },
  async run(r, sub, rest, flags) {
    switch (sub) {
      case 'push':
        return push(r, rest, flags);
      case 'reference':
        return reference(r, rest, flags);
      case 'list':
        return list(r, flags.search as string | undefined, flags.json);
      case 'show':
        return show(r, rest[0], flags.json);
      case 'alias':
        return alias(r, rest, flags.json);
      default:
        throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is needed');
    }
  },
});
