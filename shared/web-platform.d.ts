/**
 * The runtime globals `shared/` may use: the part of the web platform that browsers, their workers
 * and Node ≥ 20 all have (the WinterTC "minimum common API"), declared as narrowly as shared/ uses
 * it. shared/'s own type check (shared/tsconfig.json) sees these and no DOM or Node types, so a
 * `document`, a `Buffer` or a `node:` import there fails `npm test`. Adding a global here is a
 * decision: check that every runtime shared/ runs in has it.
 *
 * Only shared/tsconfig.json includes this file; the apps' projects get the real declarations from
 * their DOM or Node types.
 */

declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBuffer | ArrayBufferView, options?: { stream?: boolean }): string;
}

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
declare var AbortSignal: {
  prototype: AbortSignal;
  timeout(milliseconds: number): AbortSignal;
  any(signals: AbortSignal[]): AbortSignal;
  abort(reason?: unknown): AbortSignal;
};

declare class AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

/** A timer handle: a number in browsers, an object in Node; shared/ only passes it back. */
interface TimerHandle {
  readonly __timer?: never;
}
declare function setTimeout(handler: () => void, timeout?: number): TimerHandle;
declare function clearTimeout(handle: TimerHandle | undefined): void;

declare function btoa(data: string): string;
declare function atob(data: string): string;

interface ReadableStream<R = unknown> {
  pipeThrough<T>(transform: { writable: unknown; readable: ReadableStream<T> }): ReadableStream<T>;
  getReader(): {
    read(): Promise<{ done: boolean; value?: R }>;
    releaseLock(): void;
    cancel(reason?: unknown): Promise<void>;
  };
}

declare class Blob {
  constructor(parts: (Uint8Array<ArrayBuffer> | ArrayBuffer | string)[], options?: { type?: string });
  readonly size: number;
  readonly type: string;
  arrayBuffer(): Promise<ArrayBuffer>;
  slice(start?: number, end?: number): Blob;
  stream(): ReadableStream<Uint8Array>;
}

declare class CompressionStream {
  constructor(format: 'gzip' | 'deflate' | 'deflate-raw');
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: unknown;
}

interface Headers {
  get(name: string): string | null;
}

type BodyInit = string | Uint8Array<ArrayBuffer> | ArrayBuffer | Blob | null;

declare class Response {
  constructor(
    body?: BodyInit | ReadableStream<Uint8Array>,
    init?: { status?: number; headers?: Record<string, string> },
  );
  readonly ok: boolean;
  readonly status: number;
  readonly headers: Headers;
  json(): Promise<unknown>;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: BodyInit;
  signal?: AbortSignal;
}
declare function fetch(url: string, init?: RequestInit): Promise<Response>;

declare var crypto: {
  getRandomValues<T extends Uint8Array | Uint32Array>(array: T): T;
  randomUUID(): string;
  subtle: { digest(algorithm: 'SHA-256' | 'SHA-1', data: Uint8Array<ArrayBuffer> | ArrayBuffer): Promise<ArrayBuffer> };
};
