/**
 * The charger registry: one profile per charger (identity, registration, hardware from Boot, password hash).
 * Presence (live connection) is kept apart, see presence.ts.
 */
import type { Ports } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import { generatePassword, hashPassword } from './credentials.ts';
import { isValidChargerId } from './charger-id.ts';

export type RegistrationStatus = 'pending' | 'accepted' | 'rejected';
export const REGISTRATION_STATUSES: readonly RegistrationStatus[] = ['pending', 'accepted', 'rejected'];

/** Hardware and firmware facts a charger reports in BootNotification, version-neutral. */
export interface BootFacts {
  vendor: string;
  model: string;
  serialNumber?: string;
  chargeBoxSerialNumber?: string;
  firmwareVersion?: string;
  iccid?: string;
  imsi?: string;
  meterType?: string;
  meterSerialNumber?: string;
  bootReason?: string;
}

export interface ChargerProfile extends Partial<BootFacts> {
  chargerId: string;
  registrationStatus: RegistrationStatus;
  /** OCPP security profile: 1 = Basic auth over ws://, 2 = Basic auth over wss://. */
  securityProfile: 1 | 2;
  locationId?: string;
  /** Protocol assumed when a charger offers no Sec-WebSocket-Protocol at all (old 1.6 firmware). */
  defaultProtocol?: OcppProtocol;
  autoRegistered?: boolean;
  createdAt: string;
  lastBootAt?: string;
  passwordRotatedAt?: string;
}

/** The stored profile with the password hash, which only the password check reads. */
export interface ChargerItem extends ChargerProfile {
  passwordHash: string;
}

export interface NewCharger {
  chargerId: string;
  registrationStatus?: RegistrationStatus;
  securityProfile?: 1 | 2;
  locationId?: string;
  defaultProtocol?: OcppProtocol;
  autoRegistered?: boolean;
  /** A password to hash (trust on first use for auto-registration); generated when absent. */
  password?: string;
}

export type CreateChargerResult =
  | { created: true; profile: ChargerProfile; password: string }
  | { created: false; reason: 'exists' | 'invalid-id' };

export const isAccepted = (charger: ChargerProfile | undefined): boolean => charger?.registrationStatus === 'accepted';

export const createCharger = async (deps: Ports, input: NewCharger): Promise<CreateChargerResult> => {
  if (!isValidChargerId(input.chargerId)) return { created: false, reason: 'invalid-id' };
  const password = input.password ?? generatePassword();
  const profile: ChargerProfile = {
    chargerId: input.chargerId,
    registrationStatus: input.registrationStatus ?? 'accepted',
    securityProfile: input.securityProfile ?? 2,
    createdAt: deps.now().toISOString(),
    ...(input.locationId ? { locationId: input.locationId } : {}),
    ...(input.defaultProtocol ? { defaultProtocol: input.defaultProtocol } : {}),
    ...(input.autoRegistered ? { autoRegistered: true } : {}),
  };
  const outcome = await deps.stores.chargers.createIfAbsent({ ...profile, passwordHash: await hashPassword(password) });
  return outcome === 'created' ? { created: true, profile, password } : { created: false, reason: 'exists' };
};

/** Replaces the password; returns the new clear password once, or undefined for an unknown charger. */
export const rotatePassword = async (deps: Ports, chargerId: string): Promise<string | undefined> => {
  const password = generatePassword();
  const updated = await deps.stores.chargers.replacePasswordHash(chargerId, await hashPassword(password), deps.now());
  return updated && password;
};
