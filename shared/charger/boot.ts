/** BootNotification, version-neutral: record what the charger reports and answer with its registration status. */
import type { Ports } from '../deps.ts';
import type { BootFacts, RegistrationStatus } from './registry.ts';

export type BootStatus = 'Accepted' | 'Pending' | 'Rejected';

const BOOT_STATUS: Record<RegistrationStatus, BootStatus> = {
  accepted: 'Accepted',
  pending: 'Pending',
  rejected: 'Rejected',
};

/** A pending charger retries Boot at this interval, so an operator's acceptance takes effect quickly. */
const PENDING_RETRY_SECONDS = 60;

export interface BootOutcome {
  status: BootStatus;
  intervalSeconds: number;
}

export const acceptBoot = async (
  deps: Ports,
  chargerId: string,
  facts: BootFacts,
  heartbeatIntervalSeconds: number,
): Promise<BootOutcome> => {
  const defined = Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)) as BootFacts;
  const profile = await deps.stores.chargers.recordBoot(chargerId, defined, deps.now());
  // A charger removed from the registry while connected is told so.
  const status = profile ? BOOT_STATUS[profile.registrationStatus] : 'Rejected';
  const intervalSeconds = status === 'Pending' ? Math.min(PENDING_RETRY_SECONDS, heartbeatIntervalSeconds) : heartbeatIntervalSeconds;
  return { status, intervalSeconds };
};
