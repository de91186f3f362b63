/**
 * What an operator-facing domain operation answers when it cannot do what was asked: a reason the HTTP adapter maps
 * to a status (not-found 404, conflict 409, precondition-failed 412, invalid 422), and a detail for people. The
 * domain never throws for these: they are answers, not faults.
 */
export type FailureReason = 'not-found' | 'conflict' | 'precondition-failed' | 'invalid';

export interface Failure {
  readonly ok: false;
  readonly reason: FailureReason;
  readonly detail: string;
  /** The request field at fault (a JSON pointer into the body, e.g. `/locationId`), when there is one. */
  readonly field?: string;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | Failure;

export const success = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const failure = (reason: FailureReason, detail: string, field?: string): Failure => ({
  ok: false,
  reason,
  detail,
  ...(field !== undefined ? { field } : {}),
});
