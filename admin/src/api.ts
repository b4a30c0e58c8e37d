import type { z } from 'zod';
import {
  API_PREFIX,
  ApiError,
  HealthSchema,
  MLFLOW_PREFIX,
  PrincipalSchema,
  requestJson,
  type Health,
  type Principal,
} from '../../shared/protocol/index.ts';
import { isErrorBody } from '../../shared/protocol/errors.ts';

const TOKEN_KEY = 'tinysphere.token';

/** The console's one way to the server: the stored token is sent with every call. */
export class Api {
  constructor(private readonly base = '') {}

  get token(): string | undefined {
    return localStorage.getItem(TOKEN_KEY) ?? undefined;
  }

  set token(value: string | undefined) {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  }

  /** The server's origin, for clients that build their own URLs (document sync). */
  get origin(): string {
    return this.base || location.origin;
  }

  get<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
    return requestJson(this.base + path, schema, { token: this.token, signal });
  }

  /** GET under /api/v1 with query parameters (undefined ones left out). */
  v1<T>(
    path: string,
    schema: z.ZodType<T>,
    query: Record<string, string | number | undefined> = {},
    signal?: AbortSignal,
  ): Promise<T> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
    const qs = q.toString();
    return this.get(`${API_PREFIX}${path}${qs ? `?${qs}` : ''}`, schema, signal);
  }

  send<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    return requestJson(`${this.base}${API_PREFIX}${path}`, schema, {
      token: this.token,
      method,
      ...(body === undefined ? {} : { body }),
      timeoutMs: 60_000,
    });
  }

  /** MLflow's REST API (POST with a JSON body for searches, GET with a query for the rest). */
  mlflow<T>(
    path: string,
    schema: z.ZodType<T>,
    input: Record<string, unknown>,
    method: 'GET' | 'POST' = 'POST',
    signal?: AbortSignal,
  ): Promise<T> {
    if (method === 'POST')
      return requestJson(`${this.base}${MLFLOW_PREFIX}${path}`, schema, { token: this.token, body: input, signal });
    const q = new URLSearchParams(Object.entries(input).map(([k, v]) => [k, String(v)]));
    return requestJson(`${this.base}${MLFLOW_PREFIX}${path}?${q}`, schema, { token: this.token, signal });
  }

  health(signal?: AbortSignal): Promise<Health> {
    return this.get('/healthz', HealthSchema, signal);
  }

  /** Checks a token before it is stored. */
  whoami(token = this.token): Promise<Principal> {
    return requestJson(`${this.base}${API_PREFIX}/me`, PrincipalSchema, { token });
  }

  /**
   * A multipart upload with progress: fetch cannot report upload progress, XMLHttpRequest can.
   * Settles like requestJson: the server's error message becomes an ApiError.
   */
  upload<T>(
    path: string,
    form: FormData,
    schema: z.ZodType<T>,
    onProgress: (sent: number, total: number) => void,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${this.base}${API_PREFIX}${path}`);
      if (this.token) xhr.setRequestHeader('authorization', `Bearer ${this.token}`);
      xhr.setRequestHeader('accept', 'application/json');
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
      xhr.onerror = () => reject(new ApiError(0, 'network', 'the server cannot be reached'));
      xhr.onload = () => {
        let body: unknown;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = undefined;
        }
        if (xhr.status < 200 || xhr.status >= 300) {
          reject(
            isErrorBody(body)
              ? new ApiError(xhr.status, body.error.code, body.error.message)
              : new ApiError(xhr.status, 'http', `HTTP ${xhr.status}`),
          );
          return;
        }
        const parsed = schema.safeParse(body);
        if (parsed.success) resolve(parsed.data);
        else reject(new ApiError(xhr.status, 'bad_response', `unexpected answer from ${path}`));
      };
      xhr.send(form);
    });
  }
}

export const api = new Api();

/** The message to show for any failure: the server's own when it sent one. */
export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
