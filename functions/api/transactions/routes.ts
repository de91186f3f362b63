/**
 * Transactions: every role reads them, and so do machine clients with csms/read (a billing system); admins and
 * operators close a stale one.
 */
import * as z from 'zod';
import { CHARGER_PK_PREFIX, ID_TOKEN_PK_PREFIX, TRANSACTION_PK_PREFIX } from '#shared/store/keys.ts';
import { CloseTransactionSchema } from '#shared/transaction/stale-transactions.ts';
import { MeterValueViewSchema, TransactionViewSchema, TransactionWithEventsSchema } from '#shared/transaction/transaction-queries.ts';
import type { HttpRoute } from '../../routes.ts';

const READERS = ['admin', 'operator', 'viewer'] as const;
const WRITERS = ['admin', 'operator'] as const;

/** A time (ISO 8601 with offset, stored as UTC) or a UTC date or month prefix (`2026-05-01`, `2026-05`). */
const TimeBound = z.union([
  z.iso.datetime({ offset: true }).transform((t) => new Date(t).toISOString()),
  z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/, 'an ISO 8601 time, a date (2026-05-01) or a month (2026-05)'),
]);

const range = { from: TimeBound.optional(), to: TimeBound.optional() };
const rangeInOrder = (q: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx) => {
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from is after to' });
};

/** The filters that pick the partition a listing reads: exactly one of them (docs/data-model.md, "Listing transactions"). */
export const PARTITION_FILTERS = ['chargerId', 'idToken', 'locationId', 'state'] as const;

export const ListTransactionsQuery = z
  .strictObject({
    chargerId: z.string().min(1).max(64).optional(),
    idToken: z.string().min(1).max(255).optional(),
    locationId: z.string().min(1).max(128).optional(),
    /** `stale`: the active ones that are not live (a page of the active partition, filtered: docs/data-model.md). */
    state: z.enum(['active', 'ended', 'stale']).optional(),
    ...range,
  })
  .superRefine((q, ctx) => {
    const given = PARTITION_FILTERS.filter((f) => q[f] !== undefined);
    // One query serves one partition: a second filter would have to be applied in memory to an unbounded list.
    if (given.length !== 1) {
      const named = given.length === 0 ? PARTITION_FILTERS : given;
      for (const f of named) {
        ctx.addIssue({
          code: 'custom',
          path: [f],
          message: given.length === 0 ? `give exactly one of ${PARTITION_FILTERS.join(', ')}` : `combine with none of ${given.filter((g) => g !== f).join(', ')}: give one of them`,
        });
      }
    }
    rangeInOrder(q, ctx);
  });

// Index queries carry no leading-key condition: IAM's dynamodb:LeadingKeys names the table's partition key.
export const listTransactionsRoute = {
  kind: 'http',
  id: 'ListTransactions',
  method: 'GET',
  path: '/transactions',
  auth: { type: 'jwt', roles: READERS },
  summary: 'Transactions of one charger, id token, location or state (active, ended, stale), newest first; from/to bound the time received',
  query: ListTransactionsQuery,
  response: TransactionViewSchema,
  list: true,
  entry: 'api/transactions/list-transactions.ts',
  // ?chargerId=: the profile first (GetItem: the id as registered); state=stale: the chargers' presence (BatchGetItem)
  // and newest readings (Query); the live window is a charger setting.
  access: { tables: { Csms: { actions: ['GetItem', 'Query', 'BatchGetItem'] } }, settings: ['chargers'] },
} as const satisfies HttpRoute;

export const getTransactionRoute = {
  kind: 'http',
  id: 'GetTransaction',
  method: 'GET',
  path: '/transactions/{chargerId}/{transactionId}',
  auth: { type: 'jwt', roles: READERS },
  summary: 'A transaction with its raw OCPP 2.x events (the newest 200)',
  response: TransactionWithEventsSchema,
  entry: 'api/transactions/get-transaction.ts',
  // The charger's profile (GetItem: its id as registered), then one query of the transaction's own partition (the
  // item and its events).
  access: { tables: { Csms: { actions: ['GetItem', 'Query'], partitionKeyPrefixes: [TRANSACTION_PK_PREFIX, CHARGER_PK_PREFIX] } } },
} as const satisfies HttpRoute;

export const listMeterValuesRoute = {
  kind: 'http',
  id: 'ListTransactionMeterValues',
  method: 'GET',
  path: '/transactions/{chargerId}/{transactionId}/meter-values',
  auth: { type: 'jwt', roles: READERS },
  summary: 'Meter values of a transaction in time order; measurand filters the sampled values of each page',
  query: z.strictObject({ measurand: z.string().min(1).max(64).optional(), ...range }).superRefine(rangeInOrder),
  response: MeterValueViewSchema,
  list: true,
  entry: 'api/transactions/list-meter-values.ts',
  // GetItem of the charger's profile (its id as registered), then GetItem of the transaction (404) beside the Query of
  // its readings on gsi1.
  access: { tables: { Csms: { actions: ['GetItem', 'Query'] } } },
} as const satisfies HttpRoute;

export const closeTransactionRoute = {
  kind: 'http',
  id: 'CloseTransaction',
  method: 'POST',
  path: '/transactions/{chargerId}/{transactionId}/close',
  auth: { type: 'jwt', roles: WRITERS },
  summary: 'End an active transaction as closed by the CSMS (who, why, when): frees its connector and its token; 409 once ended',
  body: CloseTransactionSchema,
  response: TransactionViewSchema,
  entry: 'api/transactions/close-transaction.ts',
  // The charger's profile (GetItem: its id as registered); read and versioned put of the transaction; the connector's pointer (UpdateItem, and one for a transaction it
  // outlived); the token's uses item (DeleteItem, or UpdateItem of the one use).
  access: {
    tables: {
      Csms: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], partitionKeyPrefixes: [TRANSACTION_PK_PREFIX, CHARGER_PK_PREFIX, ID_TOKEN_PK_PREFIX] },
    },
  },
} as const satisfies HttpRoute;

export const transactionRoutes = [listTransactionsRoute, getTransactionRoute, listMeterValuesRoute, closeTransactionRoute] as const;
