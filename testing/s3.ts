import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface TestS3 {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  /** Environment variables that point TinySphere at this server. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** A real S3-protocol server (s3rver) on a free loopback port, with its files in a temp folder. */
export async function startS3(): Promise<TestS3> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  // s3rver's default credentials; the minio client signs every request with them (SigV4).
  const accessKey = 'S3RVER';
  const secretKey = 'S3RVER';
  return {
    endpoint,
    accessKey,
    secretKey,
    env: { S3_ENDPOINT: endpoint, S3_ACCESS_KEY: accessKey, S3_SECRET_KEY: secretKey },
    async stop() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
