/**
 * Admission control for upgrades: a bounded number run their authorizer and `$connect` at once, a bounded
 * number wait (first come, first served), the rest are turned away at once. On AWS, Lambda scales out and the
 * account's connection-rate quota throttles; one local process cannot scale out, so without this a reconnect
 * storm runs hundreds of password checks at once, every one of them slow enough to time out.
 */

export interface AdmissionLimits {
  /** Upgrades whose authorizer and `$connect` may run at once. */
  readonly maxUpgradesInProgress: number;
  /** Upgrades that may wait for a slot; beyond this they are refused at once. 0 = none wait. */
  readonly maxUpgradesWaiting: number;
  /** How long an upgrade may wait for a slot before it is refused. */
  readonly maxUpgradeWaitMs: number;
  /**
   * The least a refusal's `Retry-After` says, in seconds; each refusal says between this and twice this, so
   * refused chargers do not all come back in the same second.
   */
  readonly retryAfterSeconds: number;
}

/**
 * Sized for a laptop or a 2-core CI runner: an upgrade spends most of its time waiting on DynamoDB Local and the
 * thread pool's password checks, so enough run at once to keep both busy (8 at once measured slower than no
 * bound at all, in a storm of 250 parallel clients), few enough that none comes near its Lambda timeout. A waiting
 * upgrade is refused before the 10 s many chargers wait for a handshake, so it comes back later instead of
 * timing out.
 */
export const DEFAULT_ADMISSION: AdmissionLimits = {
  maxUpgradesInProgress: 64,
  maxUpgradesWaiting: 1_000,
  maxUpgradeWaitMs: 8_000,
  retryAfterSeconds: 3,
};

/** A `Retry-After` value: between the least and twice it, whole seconds. */
export const retryAfter = (limits: AdmissionLimits): string =>
  String(limits.retryAfterSeconds + Math.floor(Math.random() * (limits.retryAfterSeconds + 1)));

export type Admission =
  | { readonly admitted: true; release(): void }
  | { readonly admitted: false; readonly why: 'busy' | 'abandoned' };

interface Waiter {
  readonly settle: (admission: Admission) => void;
}

export interface AdmissionControl {
  /** Waits for a slot; `abandoned` when `gone` fires first (the client left), `busy` when none came in time. */
  admit(gone: AbortSignal): Promise<Admission>;
  /** Upgrades in progress and waiting now. */
  load(): { readonly inProgress: number; readonly waiting: number };
}

export const admissionControl = (limits: AdmissionLimits): AdmissionControl => {
  let inProgress = 0;
  const waiting: Waiter[] = [];

  const slot = (): Admission => {
    inProgress += 1;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        inProgress -= 1;
        waiting.shift()?.settle(slot());
      },
    };
  };

  const admit = (gone: AbortSignal): Promise<Admission> => {
    if (gone.aborted) return Promise.resolve({ admitted: false, why: 'abandoned' });
    if (inProgress < limits.maxUpgradesInProgress && waiting.length === 0) return Promise.resolve(slot());
    if (waiting.length >= limits.maxUpgradesWaiting) return Promise.resolve({ admitted: false, why: 'busy' });
    return new Promise<Admission>((resolve) => {
      const leave = (admission: Admission) => {
        const at = waiting.indexOf(waiter);
        if (at >= 0) waiting.splice(at, 1);
        clearTimeout(timer);
        gone.removeEventListener('abort', onGone);
        resolve(admission);
      };
      const waiter: Waiter = { settle: leave };
      const onGone = () => leave({ admitted: false, why: 'abandoned' });
      const timer = setTimeout(() => leave({ admitted: false, why: 'busy' }), limits.maxUpgradeWaitMs);
      timer.unref();
      gone.addEventListener('abort', onGone, { once: true });
      waiting.push(waiter);
    });
  };

  return { admit, load: () => ({ inProgress, waiting: waiting.length }) };
};
