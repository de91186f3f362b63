/**
 * How cdk-nag spells a resource inside a finding id (`AwsSolutions-IAM5[Resource::<…>/index/*]`), as seen from the
 * stack of the policy that names it. In the resource's own stack that is `<LogicalId.Arn>` (`<LogicalId>` for a Ref).
 * In a nested stack the value arrives as the parameter CDK makes for it, `reference-to-<unique id><attribute>`
 * (aws-cdk-lib core/lib/private/refs.ts), so the finding names that parameter; the CDK tests' cdk-nag runs catch a
 * drift in that naming.
 */
import { type CfnElement, Names, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export const nagReference = (consumer: IConstruct, resource: IConstruct, attribute: 'Arn' | 'Ref'): string => {
  const element = resource.node.defaultChild as CfnElement;
  const producer = Stack.of(element);
  const consumerStack = Stack.of(consumer);
  if (consumerStack === producer) {
    const id = producer.getLogicalId(element);
    return attribute === 'Ref' ? `<${id}>` : `<${id}.${attribute}>`;
  }
  if (consumerStack.nestedStackParent !== producer) {
    throw new Error(`nagReference: ${consumer.node.path} is neither in ${producer.node.path} nor in a stack nested directly in it`);
  }
  return `<${`reference-to-${Names.nodeUniqueId(element.node)}${attribute}`.replace(/[^A-Za-z0-9]/g, '')}>`;
};
