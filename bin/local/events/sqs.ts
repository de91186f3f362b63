/**
 * SQS events as Lambda's event source mapping delivers them, built from ReceiveMessage results.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { LOCAL_REGION } from './ids.ts';

const attribute = (a: MessageAttributeValue) => ({
  ...(a.StringValue === undefined ? {} : { stringValue: a.StringValue }),
  ...(a.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(a.BinaryValue).toString('base64') }),
  stringListValues: a.StringListValues ?? [],
  binaryListValues: (a.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
  dataType: a.DataType ?? 'String',
});

/** One record; `message` must have been received with all system and message attributes. */
export const sqsRecord = (message: Message, queueArn: string) => ({
  messageId: message.MessageId ?? '',
  receiptHandle: message.ReceiptHandle ?? '',
  body: message.Body ?? '',
  attributes: { ...message.Attributes },
  messageAttributes: Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, attribute(v)])),
  md5OfBody: message.MD5OfBody ?? '',
  ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: LOCAL_REGION,
});

export const sqsEvent = (messages: readonly Message[], queueArn: string) => ({
  Records: messages.map((m) => sqsRecord(m, queueArn)),
});
