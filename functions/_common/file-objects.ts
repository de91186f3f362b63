/**
 * The files bucket for the handlers that touch it (the file endpoint's uploads and firmware downloads, the file and
 * firmware routes): kept out of functions/_common/deps.ts so the S3 client is bundled only where a route names the bucket.
 * Handlers take `depsWithFiles` (files.ts); tests and tools add the bucket to their own deps with `withFileObjects`.
 */
import type { Deps } from '#shared/deps.ts';
import type { FileObjects } from '#shared/file/objects.ts';
import { filesBucket } from '#shared/store/buckets.ts';
import { fileObjectStore, makeS3Client } from '#shared/store/file-object-store.ts';

/** The files bucket (route access `buckets: { Files: ... }`); throws naming the variable when the route has none. */
export const makeFileObjects = (env: NodeJS.ProcessEnv = process.env): FileObjects => {
  const bucket = env[filesBucket.envVar];
  if (!bucket) throw new Error(`${filesBucket.envVar} is not set: this function's route has no access to the ${filesBucket.name} bucket`);
  return fileObjectStore(makeS3Client(env), bucket);
};

/** `base` with the files bucket added to its file access. */
export const withFileObjects = (base: Deps, env: NodeJS.ProcessEnv = process.env): Deps => ({
  ...base,
  files: { endpoints: base.files?.endpoints ?? {}, objects: makeFileObjects(env) },
});
