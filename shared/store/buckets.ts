/**
 * The S3 buckets, as data. The CDK stack (lib/buckets.ts) and the local runtime (fauxqs) both create them from
 * these definitions. Routes reach a bucket through `access.buckets`. Empty until a route needs one (the files
 * issue adds the diagnostics and firmware bucket).
 */
export interface BucketDef {
  /** Logical name: the CDK construct id; lower-cased, the local bucket name. */
  readonly name: string;
  /** Environment variable through which handlers with access to the bucket receive its name. */
  readonly envVar: string;
}

export const buckets = [] as const satisfies readonly BucketDef[];
