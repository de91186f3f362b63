/**
 * One-time enrolment codes: an operator creates one, a charger presents it once as its Basic password to register
 * itself (shared/charger/auto-registration.ts). Only the code's MAC under the password pepper is stored, as the
 * key, so the code is found without a scan and a reader of the table cannot use it. The table's TTL removes
 * codes some time after they expire; until then the expiry in the condition refuses them.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EnrolmentCode } from '../charger/auto-registration.ts';
import type { StoreContext } from './context.ts';
import { unlessConditionFails } from './dynamo.ts';
import { ENROLMENT_ITEM_TYPE, enrolmentKey, withoutKeys } from './keys.ts';

export const enrolmentStore = (ctx: StoreContext) => ({
  async create(codeMac: string, code: EnrolmentCode): Promise<'created' | 'exists'> {
    const written = await unlessConditionFails(
      ctx.db.send(
        new PutCommand({
          TableName: ctx.tables.Csms,
          Item: { ...enrolmentKey(codeMac), type: ENROLMENT_ITEM_TYPE, ...code },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return written ? 'created' : 'exists';
  },

  async get(codeMac: string): Promise<EnrolmentCode | undefined> {
    const out = await ctx.db.send(new GetCommand({ TableName: ctx.tables.Csms, Key: enrolmentKey(codeMac), ConsistentRead: true }));
    return out.Item && withoutKeys<EnrolmentCode>(out.Item);
  },

  /** Marks the code used by `chargerId`; false when it is unknown, used already or expired. Exactly one caller wins. */
  async consume(codeMac: string, chargerId: string, at: Date): Promise<boolean> {
    const out = await unlessConditionFails(
      ctx.db.send(
        new UpdateCommand({
          TableName: ctx.tables.Csms,
          Key: enrolmentKey(codeMac),
          UpdateExpression: 'SET usedBy = :id, usedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedBy) AND expiresAt > :nowSeconds',
          ExpressionAttributeValues: { ':id': chargerId, ':at': at.toISOString(), ':nowSeconds': Math.floor(at.getTime() / 1000) },
        }),
      ),
    );
    return out !== undefined;
  },
});

export type EnrolmentStore = ReturnType<typeof enrolmentStore>;
