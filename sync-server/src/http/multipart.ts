import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { stage, type StagedFile } from '../services/registry/staging.ts';
import { HttpError } from './errors.ts';

export interface MultipartSpec {
  /** File fields accepted (each at most once, each up to maxFileBytes); files are staged on disk. */
  files: readonly string[];
  /** Text fields accepted (each at most once). */
  fields: readonly string[];
  maxFileBytes: number;
  maxFieldBytes: number;
  /** Folder the files are staged in. */
  stagingDir: string;
}

export interface MultipartResult {
  files: Record<string, StagedFile>;
  fields: Record<string, string>;
}

/**
 * Streams a multipart/form-data request: files go to disk (hashed as they arrive), text fields are
 * kept. Anything unexpected — another field name, a field twice, a size beyond its limit — rejects
 * with a 4xx, and every file staged so far is removed, so a refused upload leaves nothing behind.
 */
export function parseMultipart(req: IncomingMessage, spec: MultipartSpec): Promise<MultipartResult> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) {
    return Promise.reject(
      HttpError.of(
        'unsupported_media_type',
        `expected multipart/form-data with fields ${[...spec.files, ...spec.fields].join(', ')}; got ${type || 'no content type'}`,
      ),
    );
  }
  const declared = Number(req.headers['content-length']);
  if (
    Number.isFinite(declared) &&
    declared > spec.maxFileBytes * spec.files.length + spec.maxFieldBytes * spec.fields.length + 64 * 1024
  ) {
    req.resume();
    return Promise.reject(
      HttpError.of(
        'payload_too_large',
        `the upload (${declared} bytes) is larger than the limit of ${spec.maxFileBytes} bytes (MAX_UPLOAD_BYTES)`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const result: MultipartResult = { files: {}, fields: {} };
    const pending: Promise<unknown>[] = [];
    let failure: unknown;
    let bb: busboy.Busboy;
    try {
      // Field names and counts are checked below; busboy only bounds the size of text fields.
      bb = busboy({ headers: req.headers, limits: { fieldSize: spec.maxFieldBytes } });
    } catch (err) {
      req.resume();
      return reject(HttpError.of('bad_request', `malformed multipart request: ${(err as Error).message}`));
    }
    // The first problem wins. Parsing goes on to the end of the body (later parts are drained, not
    // kept): stopping a multipart stream half-way leaves busboy waiting and the client unanswered.
    const fail = (err: unknown) => {
      failure ??= err;
    };
    // Names are claimed when their part starts: a file is staged asynchronously, so its entry in
    // `result` comes too late to catch a second part of the same name.
    const seen = new Set<string>();
    const active = new Set<NodeJS.ReadableStream & { destroy(error?: Error): void }>();
    bb.on('file', (name, stream) => {
      stream.on('error', () => {}); // failures surface through stage() or fail(), never as a crash
      if (failure !== undefined || !spec.files.includes(name) || seen.has(name)) {
        seen.add(name);
        stream.resume();
        return fail(
          HttpError.of(
            'bad_request',
            `unexpected multipart file field "${name}"; expected ${spec.files.map((f) => `"${f}"`).join(', ')}, once each`,
          ),
        );
      }
      seen.add(name);
      active.add(stream);
      pending.push(
        stage(stream, spec.maxFileBytes, spec.stagingDir)
          .then(
            (staged) => {
              result.files[name] = staged;
            },
            (err) => {
              stream.resume();
              fail(err);
            },
          )
          .finally(() => active.delete(stream)),
      );
    });
    bb.on('field', (name, _value, info) => {
      if (!spec.fields.includes(name) || seen.has(name)) {
        seen.add(name);
        return fail(
          HttpError.of(
            'bad_request',
            `unexpected multipart field "${name}"; expected ${spec.fields.map((f) => `"${f}"`).join(', ')}, once each`,
          ),
        );
      }
      if (info.valueTruncated)
        return fail(HttpError.of('payload_too_large', `field "${name}" is larger than ${spec.maxFieldBytes} bytes`));
      seen.add(name);
      result.fields[name] = _value;
    });
    const finish = async (err?: unknown) => {
      if (err !== undefined) fail(err);
      await Promise.allSettled(pending);
      if (failure === undefined) return resolve(result);
      await Promise.all(Object.values(result.files).map((f) => f.remove()));
      reject(failure);
    };
    bb.once('close', () => void finish());
    bb.once('error', (err: Error) => {
      req.unpipe(bb);
      req.resume();
      void finish(HttpError.of('bad_request', `malformed multipart request: ${err.message}`));
    });
    // A client gone mid-upload: busboy never ends the open file stream, so end it here — its staging
    // then fails and removes the partial file instead of holding a handle forever.
    const abort = () => {
      const err = HttpError.of('bad_request', 'the upload was aborted');
      for (const s of active) s.destroy(err);
      bb.destroy();
      void finish(err);
    };
    req.once('aborted', abort);
    req.once('close', () => {
      if (!req.complete) abort();
    });
    req.pipe(bb);
  });
}
