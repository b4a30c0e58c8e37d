import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteSource } from '../../../../shared/onnx/reader.ts';
import { TooLarge } from '../errors.ts';

/**
 * An upload staged on local disk: hashed and counted while it streams in, so nothing is held whole
 * in memory and nothing reaches the blob store before it has been validated.
 */
export interface StagedFile {
  path: string;
  size: number;
  sha256: string;
  /** Random access for the ONNX reader, reading only the byte ranges it asks for. */
  source(): Promise<ByteSource & { close(): Promise<void> }>;
  stream(): Readable;
  remove(): Promise<void>;
}

/** Where uploads are staged: under DATA_DIR, so each server's leftovers (if any) are its own to see. */
export const stagingDir = (config: { dataDir: string }) => path.join(config.dataDir, 'staging');

export async function stage(body: Readable, maxBytes: number, dir: string): Promise<StagedFile> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, randomUUID());
  const hash = createHash('sha256');
  let size = 0;
  // Past the limit the rest is read and dropped rather than the stream broken, so whoever feeds
  // this stream (a multipart parser) keeps flowing and the client still gets its 413.
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) return done();
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(file));
    if (size > maxBytes)
      throw new TooLarge(`the file is larger than the limit of ${maxBytes} bytes (MAX_UPLOAD_BYTES)`);
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
  return stagedFile(file, size, hash.digest('hex'));
}

function stagedFile(file: string, size: number, sha256: string): StagedFile {
  return {
    path: file,
    size,
    sha256,
    async source() {
      const handle = await open(file, 'r');
      return {
        size,
        async read(offset: number, length: number) {
          const len = Math.max(0, Math.min(length, size - offset));
          const buf = Buffer.alloc(len);
          const { bytesRead } = await handle.read(buf, 0, len, offset);
          return new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
        },
        close: () => handle.close(),
      };
    },
    stream: () => createReadStream(file),
    remove: () => rm(file, { force: true }),
  };
}
