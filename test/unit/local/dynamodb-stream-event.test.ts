/**
 * Stream records as the local stream host hands them to handlers (bin/local/events/dynamodb-stream.ts): in the shape
 * Lambda delivers, with the images readable by `unmarshall` even where DynamoDB Local's stream drops an empty map's
 * type (it writes `{}` for `{"M":{}}`, which made every live-events batch with a command without payload fail).
 */
import type { AttributeValue, _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamodbStreamRecord } from '../../../bin/local/events/dynamodb-stream.ts';

const ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/Csms/stream/2026-01-01T00:00:00.000';
/** A value as DynamoDB Local's stream yields an empty map: no type at all. */
const untypedEmptyMap = {} as AttributeValue;

describe('dynamodbStreamRecord', () => {
  it('gives an empty map its type back, at any depth, and leaves typed empties alone', () => {
    const record: StreamRecord = {
      eventID: 'e1',
      eventName: 'INSERT',
      dynamodb: {
        Keys: { pk: { S: 'CMD#1' }, sk: { S: 'COMMAND' } },
        NewImage: {
          pk: { S: 'CMD#1' },
          payload: untypedEmptyMap,
          nested: { M: { inner: untypedEmptyMap, list: { L: [untypedEmptyMap, { L: [] }] } } },
          note: { S: '' },
          bytes: { B: new Uint8Array([1, 2]) },
        },
        SequenceNumber: '1',
      },
    };
    const image = dynamodbStreamRecord(record, ARN).dynamodb.NewImage ?? {};
    expect(image.payload).toEqual({ M: {} });
    expect(image.bytes).toEqual({ B: 'AQI=' });
    // The JSON Lambda delivers, read as the handlers read it (functions/_common/stream-events.ts).
    expect(unmarshall(image as unknown as Parameters<typeof unmarshall>[0])).toEqual({
      pk: 'CMD#1',
      payload: {},
      nested: { inner: {}, list: [{}, []] },
      note: '',
      bytes: 'AQI=',
    });
  });
});
