/** DynamoDB Streams records as Lambda delivers them, with their images turned into plain objects. */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

export interface ItemChange {
  readonly eventName: DynamoDBRecord['eventName'];
  readonly newImage?: Record<string, unknown>;
  readonly oldImage?: Record<string, unknown>;
}

// The two AttributeValue types (aws-lambda's and the SDK's) describe the same JSON; only their TypeScript differs.
const plain = (image: Record<string, AttributeValue> | undefined) => (image ? unmarshall(image as Parameters<typeof unmarshall>[0]) : undefined);

export const itemChange = (record: DynamoDBRecord): ItemChange => ({
  eventName: record.eventName,
  ...(record.dynamodb?.NewImage ? { newImage: plain(record.dynamodb.NewImage) } : {}),
  ...(record.dynamodb?.OldImage ? { oldImage: plain(record.dynamodb.OldImage) } : {}),
});
