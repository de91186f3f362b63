/**
 * DynamoDB Streams events as Lambda's event source mapping delivers them, built from GetRecords results, and the
 * record Lambda sends to a stream route's on-failure destination.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 */
import type { _Record as StreamRecord, AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './ids.ts';

type WireValue = Record<string, unknown>;

const TYPE_KEYS = ['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL'] as const;

/**
 * Attribute values as JSON carries them: binaries in base64 (the SDK hands us bytes). DynamoDB Local's stream writes
 * an empty map as `{}` where DynamoDB writes `{"M":{}}` (an empty list or string keeps its type), and a handler's
 * `unmarshall` then throws on the whole record: a value without a type is that empty map.
 */
const wire = (v: AttributeValue): WireValue => {
  if (TYPE_KEYS.every((k) => !(k in v))) return { M: {} };
  if (v.B !== undefined) return { B: Buffer.from(v.B).toString('base64') };
  if (v.BS !== undefined) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (v.L !== undefined) return { L: v.L.map(wire) };
  if (v.M !== undefined) return { M: image(v.M) };
  return { ...v };
};
const image = (m: Record<string, AttributeValue>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, wire(v)]));

export const dynamodbStreamRecord = (r: StreamRecord, streamArn: string) => {
  const d = r.dynamodb ?? {};
  return {
    eventID: r.eventID ?? '',
    eventName: r.eventName ?? '',
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: LOCAL_REGION,
    dynamodb: {
      // Epoch seconds in the Lambda event; the SDK parses it into a Date.
      ...(d.ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(d.ApproximateCreationDateTime.getTime() / 1000) } : {}),
      Keys: image(d.Keys ?? {}),
      ...(d.NewImage ? { NewImage: image(d.NewImage) } : {}),
      ...(d.OldImage ? { OldImage: image(d.OldImage) } : {}),
      SequenceNumber: d.SequenceNumber ?? '',
      SizeBytes: d.SizeBytes ?? 0,
      StreamViewType: d.StreamViewType ?? 'NEW_AND_OLD_IMAGES',
    },
    ...(r.userIdentity ? { userIdentity: { ...r.userIdentity } } : {}),
    eventSourceARN: streamArn,
  };
};

export const dynamodbStreamEvent = (records: readonly StreamRecord[], streamArn: string) => ({
  Records: records.map((r) => dynamodbStreamRecord(r, streamArn)),
});

export interface FailedBatch {
  readonly functionName: string;
  readonly requestId: string;
  readonly attempts: number;
  readonly error: string;
  readonly shardId: string;
  readonly streamArn: string;
  readonly records: readonly StreamRecord[];
}

/** What Lambda puts on a stream mapping's on-failure queue: where the batch was, not its records. */
export const streamFailureRecord = (f: FailedBatch) => {
  const first = f.records[0]?.dynamodb;
  const last = f.records.at(-1)?.dynamodb;
  return {
    requestContext: {
      requestId: f.requestId,
      functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${f.functionName}`,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: f.attempts,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId: f.shardId,
      startSequenceNumber: first?.SequenceNumber ?? '',
      endSequenceNumber: last?.SequenceNumber ?? '',
      approximateArrivalOfFirstRecord: first?.ApproximateCreationDateTime?.toISOString() ?? '',
      approximateArrivalOfLastRecord: last?.ApproximateCreationDateTime?.toISOString() ?? '',
      batchSize: f.records.length,
      streamArn: f.streamArn,
    },
  };
};
