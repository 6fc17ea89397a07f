import type { BlobStoreSpec } from '../config/config.js';
import type { BlobStore } from './blob.store.js';
import { LocalBlobStore } from './local-blob.store.js';
import { S3BlobStore } from './s3-blob.store.js';

/** The blob store a configuration names: a local folder, or an S3-compatible bucket (credentials from the AWS SDK's default chain). */
export function openBlobStore(spec: BlobStoreSpec): BlobStore {
  if (spec.kind === 'local') return new LocalBlobStore(spec.root);
  return S3BlobStore.fromOptions({ bucket: spec.bucket, prefix: spec.prefix, region: spec.region, endpoint: spec.endpoint, forcePathStyle: spec.forcePathStyle });
}
