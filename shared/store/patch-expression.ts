/**
 * A transaction patch (shared/transaction/in-order-patch.ts: preconditions and assignments as data) as one
 * DynamoDB UpdateItem: its `ConditionExpression` and `UpdateExpression`. Every attribute name is a `#n`
 * placeholder and every value a `:v` placeholder; nothing from the patch is spliced into the expression text.
 */
import type { Assignment, Expression, Operand, Precondition, RecordPath, TransactionPatch } from '../transaction/in-order-patch.ts';

export interface UpdateExpressions {
  /** Absent when the patch requires nothing. */
  ConditionExpression?: string;
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

export const patchExpressions = (patch: TransactionPatch, alsoAssign: readonly Assignment[] = []): UpdateExpressions => {
  const names = new Map<string, string>();
  const values: Record<string, unknown> = {};
  const name = (attribute: string) => {
    const known = names.get(attribute);
    if (known) return known;
    const placeholder = `#n${names.size}`;
    names.set(attribute, placeholder);
    return placeholder;
  };
  const path = (p: RecordPath) => p.map(name).join('.');
  const value = (v: unknown) => {
    const placeholder = `:v${Object.keys(values).length}`;
    values[placeholder] = v;
    return placeholder;
  };
  const operand = (o: Operand) => ('value' in o ? value(o.value) : path(o.path));
  const expression = (x: Expression): string => {
    if ('value' in x || 'path' in x) return operand(x);
    if ('sum' in x) return `${operand(x.sum[0])} + ${operand(x.sum[1])}`;
    if ('difference' in x) return `${operand(x.difference[0])} - ${operand(x.difference[1])}`;
    return `list_append(${path(x.append[0])}, ${value(x.append[1])})`;
  };
  const condition = (c: Precondition): string => {
    switch (c.is) {
      case 'present':
        return `attribute_exists(${path(c.path)})`;
      case 'equal':
        return `${path(c.path)} = ${value(c.to)}`;
      case 'below':
        return `${path(c.path)} < ${value(c.than)}`;
      case 'atMost':
        return `${path(c.path)} <= ${value(c.than)}`;
      case 'shorterThan':
        return `size(${path(c.path)}) < ${value(c.than)}`;
    }
  };
  const ConditionExpression = patch.requires.map(condition).join(' AND ');
  const UpdateExpression = `SET ${[...patch.assigns, ...alsoAssign].map((a) => `${path(a.path)} = ${expression(a.to)}`).join(', ')}`;
  return {
    ...(ConditionExpression ? { ConditionExpression } : {}),
    UpdateExpression,
    ExpressionAttributeNames: Object.fromEntries([...names].map(([attribute, placeholder]) => [placeholder, attribute])),
    ExpressionAttributeValues: values,
  };
};
