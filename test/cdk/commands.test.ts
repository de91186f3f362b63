/**
 * The command path in the stack: the FIFO command queue and its DLQ, the timeouts queue, the dispatcher's event
 * source mapping with partial batch responses, and each function's grants held to what it does.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandsQueue } from '../../shared/store/queues.ts';
import { actionsOf, functionIdForRoute, type Resource, type Resources, statementsOf, synthStack } from './support.ts';

let t: Template;
beforeAll(() => {
  t = synthStack({ stage: 'dev' }).template;
});

const queueIdOf = (name: string): string => {
  const id = Object.keys(t.findResources('AWS::SQS::Queue')).find((k) => k.startsWith(`Queues${name}`) && !k.startsWith(`Queues${name}DeadLetters`));
  expect(id, name).toBeDefined();
  return id!;
};
const propsOf = (id: string) => (t.findResources('AWS::SQS::Queue') as Resources)[id]!.Properties;
const sqsStatements = (routeId: string) => statementsOf(t, functionIdForRoute(t, routeId)).filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));

describe('the command queues', () => {
  it('makes the command queue FIFO, with its FIFO DLQ after the registry’s receives, and no content deduplication', () => {
    const props = propsOf(queueIdOf('Commands'));
    expect(props).toMatchObject({ FifoQueue: true, VisibilityTimeout: 180 });
    expect(props.ContentBasedDeduplication).toBeUndefined();
    expect(props.RedrivePolicy).toMatchObject({ maxReceiveCount: commandsQueue.maxReceiveCount });
    const dlq = Object.entries(t.findResources('AWS::SQS::Queue') as Resources).find(([k]) => k.startsWith('QueuesCommandsDeadLetters'));
    expect((dlq?.[1] as Resource).Properties).toMatchObject({ FifoQueue: true });
  });

  it('makes the timeouts queue a standard queue (per-message delays are standard-only)', () => {
    expect(propsOf(queueIdOf('CommandTimeouts')).FifoQueue).toBeUndefined();
  });

  it('feeds the dispatcher from the command queue with partial batch responses', () => {
    const fnId = functionIdForRoute(t, 'DispatchCommands');
    const mappings = Object.values(t.findResources('AWS::Lambda::EventSourceMapping') as Resources).filter((m) => JSON.stringify(m.Properties.FunctionName).includes(`"${fnId}"`));
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 });
    expect(JSON.stringify(mappings[0]!.Properties.EventSourceArn)).toContain(queueIdOf('Commands'));
  });
});

describe('grants of the command path', () => {
  it('lets the dispatcher post to the chargers’ WebSocket API only, and only POST on @connections', () => {
    const manage = statementsOf(t, functionIdForRoute(t, 'DispatchCommands')).filter((s) => actionsOf(s).includes('execute-api:ManageConnections'));
    expect(manage).toHaveLength(1);
    const resource = JSON.stringify(manage[0]!.Resource);
    const chargersApi = Object.keys(t.findResources('AWS::ApiGatewayV2::Api')).find((id) => resource.includes(`"${id}"`));
    expect(chargersApi).toBeDefined();
    expect(resource).toContain('/dev/POST/@connections/*');
  });

  it('lets the REST route only send, and only to the command queue', () => {
    const statements = sqsStatements('SendCommand');
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0]!).sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(statements[0]!.Resource).toEqual({ 'Fn::GetAtt': [queueIdOf('Commands'), 'Arn'] });
  });

  it('lets no other REST route touch a queue, and no $default function either', () => {
    for (const id of ['GetCommand', 'ListChargerCommands', 'CancelCommand', 'OcppMessage', 'OcppDisconnect']) expect(sqsStatements(id), id).toEqual([]);
  });

  it('lets the dispatcher consume its queue and only send to the timeouts queue', () => {
    const byQueue = Object.fromEntries(sqsStatements('DispatchCommands').map((s) => [JSON.stringify(s.Resource), actionsOf(s).sort()]));
    expect(byQueue).toEqual({
      [JSON.stringify({ 'Fn::GetAtt': [queueIdOf('Commands'), 'Arn'] })]: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      [JSON.stringify({ 'Fn::GetAtt': [queueIdOf('CommandTimeouts'), 'Arn'] })]: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
    });
  });
});
