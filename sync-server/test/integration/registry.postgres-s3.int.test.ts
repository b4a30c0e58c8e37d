import * as Minio from 'minio';
import { createTestDatabase } from '../../../testing/postgres.ts';
import { startS3 } from '../../../testing/s3.ts';
import { startServerProcess, tempDataDir } from '../../../testing/server-process.ts';
import { runMlflowRegistryTests } from './mlflow-registry.ts';
import { runReferenceTests } from './registry-reference.ts';
import { runRegistryTests } from './registry.ts';

const setup = async () => {
  const database = await createTestDatabase();
  if (!database) return undefined;
  const s3 = await startS3();
  const data = await tempDataDir();
  const maxUploadBytes = 2_000_000;
  const adminToken = 'registry-admin-token-0123456789';
  const bucket = 'registry-it';
  const server = await startServerProcess({
    DATABASE_URL: database.url,
    ADMIN_TOKEN: adminToken,
    DATA_DIR: data.dir,
    MAX_UPLOAD_BYTES: String(maxUploadBytes),
    DEMO: '0',
    ...s3.env,
    S3_BUCKET: bucket,
  });
  const url = new URL(s3.endpoint);
  const client = new Minio.Client({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: false,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    pathStyle: true,
    region: 'us-east-1',
  });
  return {
    server,
    adminToken,
    maxUploadBytes,
    dataDir: data.dir,
    async blobKeys() {
      const keys: string[] = [];
      for await (const item of client.listObjectsV2(bucket, '', true)) if (item.name) keys.push(item.name);
      return keys.sort();
    },
    async teardown() {
      await s3.stop();
      await database.drop();
      await data.remove();
    },
  };
};

runRegistryTests('PostgreSQL and S3 (s3rver)', setup);
runMlflowRegistryTests('PostgreSQL and S3 (s3rver)', setup);
runReferenceTests('PostgreSQL and S3 (s3rver)', setup);
