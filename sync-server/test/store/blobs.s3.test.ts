import { S3BlobStore } from '../../src/store/blobs/s3.ts';
import { runBlobStoreAdapterTests } from '../../src/store/blobs/adapter-tests.ts';
import { startS3 } from '../../../testing/s3.ts';

runBlobStoreAdapterTests('S3 through the minio client (s3rver)', async () => {
  const s3 = await startS3();
  const store = await S3BlobStore.open({
    endpoint: new URL(s3.endpoint),
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    bucket: 'adapter-tests',
    region: 'us-east-1',
    // s3rver cannot list in-progress multipart uploads, so keep every test object in one part.
    partSize: 1024 * 1024 * 1024,
  });
  return { store, teardown: () => s3.stop() };
});
