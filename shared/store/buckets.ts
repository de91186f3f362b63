/**
 * The S3 buckets, as data. The CDK stack (lib/buckets.ts) and the local runtime (fauxqs) both create them from
 * these definitions. Routes reach a bucket through `access.buckets`.
 */
export interface BucketDef {
  /** Logical name: the CDK construct id; lower-cased, the local bucket name. */
  readonly name: string;
  /** Environment variable through which handlers with access to the bucket receive its name. */
  readonly envVar: string;
}

/**
 * Files chargers upload (diagnostics, logs: `chargers/<charger>/<file id>/<name>`) and firmware images they fetch
 * (`firmware/<file id>/<name>`): shared/file/object-keys.ts. Metadata and status live in the table.
 */
export const filesBucket = { name: 'Files', envVar: 'FILES_BUCKET' } as const satisfies BucketDef;

export const buckets = [filesBucket] as const satisfies readonly BucketDef[];
