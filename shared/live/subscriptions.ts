/** Answers an operator connection's message: a subscription change and its ack, or an error (docs/live-events.md). */
import { MAX_TARGETS_PER_CONNECTION, parseSubscriptionMessage, type LiveKind, type LiveReply, type LiveTarget } from './live-event.ts';

/** `full`: the connection would hold more targets than allowed; `closed`: it is not (any more) recorded. */
export type SubscribeOutcome = { readonly subscribed: true } | { readonly subscribed: false; readonly reason: 'full' | 'closed' };

/** The store's side (shared/store/live-subscription-store.ts). */
export interface SubscriptionBook {
  subscribe(connectionId: string, targets: readonly LiveTarget[], kinds: readonly LiveKind[]): Promise<SubscribeOutcome>;
  /** Removes the named targets, or every one held when none is named; answers those removed. */
  unsubscribe(connectionId: string, targets: readonly LiveTarget[]): Promise<LiveTarget[]>;
}

const REFUSALS: Readonly<Record<'full' | 'closed', string>> = {
  full: `a connection holds at most ${MAX_TARGETS_PER_CONNECTION} chargers and locations: unsubscribe some first`,
  closed: 'this connection is closing: connect again',
};

export const answerLiveMessage = async (book: SubscriptionBook, connectionId: string, text: string | undefined): Promise<LiveReply> => {
  const parsed = parseSubscriptionMessage(text);
  if (!parsed.ok) return { type: 'error', error: parsed.error };
  const { action, targets, kinds } = parsed.change;
  if (action === 'unsubscribe') return { type: 'ack', action, targets: await book.unsubscribe(connectionId, targets) };
  const outcome = await book.subscribe(connectionId, targets, kinds);
  return outcome.subscribed ? { type: 'ack', action, targets, kinds } : { type: 'error', error: REFUSALS[outcome.reason] };
};
