/**
 * The latest accepted composite schedule of each EVSE of a charger (shared/charger/composite-schedule.ts), one item
 * per EVSE, replaced by a later answer and never by an earlier one written late.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CompositeSchedule } from '../charger/composite-schedule.ts';
import type { StoreContext } from './context.ts';
import { unlessConditionFails } from './dynamo.ts';
import { COMPOSITE_SCHEDULE_PREFIX, compositeScheduleKey, compositeSchedulesPk, withoutKeys } from './keys.ts';
import { mapPage, queryPage, type Page, type PageOptions } from './queries.ts';

export const compositeScheduleStore = (ctx: StoreContext) => ({
  /** `superseded`: the EVSE's stored schedule came from a later answer, and stays. */
  async keep(schedule: CompositeSchedule): Promise<'kept' | 'superseded'> {
    const put = new PutCommand({
      TableName: ctx.tables.Csms,
      Item: { ...compositeScheduleKey(schedule.chargerId, schedule.evseId), type: 'CompositeSchedule', ...schedule },
      ConditionExpression: 'attribute_not_exists(reportedAt) OR reportedAt <= :at',
      ExpressionAttributeValues: { ':at': schedule.reportedAt },
    });
    return (await unlessConditionFails(ctx.db.send(put))) === undefined ? 'superseded' : 'kept';
  },

  /** The charger's schedules by EVSE id. */
  async list(chargerId: string, page: PageOptions = {}): Promise<Page<CompositeSchedule>> {
    const found = await queryPage(ctx, { pk: compositeSchedulesPk(chargerId), beginsWith: COMPOSITE_SCHEDULE_PREFIX }, page);
    return mapPage(found, (item) => withoutKeys<CompositeSchedule>(item));
  },
});

export type CompositeScheduleStore = ReturnType<typeof compositeScheduleStore>;
