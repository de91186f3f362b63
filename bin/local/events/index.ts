/**
 * Every event the local hosts hand to handlers, shaped as AWS delivers it; tests build theirs here too
 * (test/support/handler-harness.ts), so hosts and tests cannot disagree on a shape.
 */
export * from './ids.ts';
export * from './websocket.ts';
export * from './rest.ts';
export * from './sqs.ts';
export * from './dynamodb-stream.ts';
export * from './scheduled.ts';
export * from './function-url.ts';
export * from './transfer.ts';
export * from './s3.ts';
