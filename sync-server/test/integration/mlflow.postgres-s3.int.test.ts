import { runMlflowTests } from './mlflow.ts';
import { createTestDatabase } from '../../../testing/postgres.ts';
import { startS3 } from '../../../testing/s3.ts';
import { startServerProcess, tempDataDir } from '../../../testing/server-process.ts';

runMlflowTests('PostgreSQL server and S3 (s3rver)', async () => {
  const database = await createTestDatabase();
  if (!database) return undefined;
  const s3 = await startS3();
  const data = await tempDataDir();
  const adminToken = 'mlflow-it-admin-token-0123456789';
  const server = await startServerProcess({
    DATABASE_URL: database.url,
    ADMIN_TOKEN: adminToken,
    DATA_DIR: data.dir,
    ...s3.env,
    S3_BUCKET: 'mlflow-it',
  });
  return {
    server,
    adminToken,
    blobs: 's3',
    async teardown() {
      await s3.stop();
      await database.drop();
      await data.remove();
    },
  };
});
