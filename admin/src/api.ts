import type { z } from 'zod';
import { API_PREFIX, HealthSchema, PrincipalSchema, requestJson, type Health, type Principal } from '../../shared/protocol/index.ts';

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

  get<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
    return requestJson(this.base + path, schema, { token: this.token, signal });
  }

  health(signal?: AbortSignal): Promise<Health> {
    return this.get('/healthz', HealthSchema, signal);
  }

  /** Checks a token before it is stored. */
  whoami(token = this.token): Promise<Principal> {
    return requestJson(`${this.base}${API_PREFIX}/me`, PrincipalSchema, { token });
  }
}

export const api = new Api();
