/**
 * A CALL the CSMS refuses with a CALLERROR the spec names, thrown by an action and rendered by the dispatcher
 * with the version's spelling. Only for refusals OCPP prescribes; faults of ours are plain errors (InternalError).
 */
import { fault, type Fault } from '../ocpp/faults.ts';
import { isAccepted, type ChargerProfile } from '../charger/registry.ts';

export class CallRefused extends Error {
  override readonly name = 'CallRefused';
  constructor(readonly fault: Fault) {
    super(fault.description);
  }
}

/** OCPP 2.0.1 B02/B03 (and 1.6 by analogy): only an accepted charger may authorize or start transactions. */
export const NOT_ACCEPTED = fault('SecurityError', 'charger is not accepted by the CSMS');

export const requireAccepted = (charger: ChargerProfile | undefined): void => {
  if (!isAccepted(charger)) throw new CallRefused(NOT_ACCEPTED);
};
