/**
 * The charger registry: one profile per charger (identity, registration, hardware from Boot, password hash).
 * Presence (live connection) is kept apart, see presence.ts.
 */
import type { Ports } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import { generateChargerPassword, hashPassword, type PasswordKeys, type PasswordOrigin } from './credentials.ts';
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
  /** An auto-registered charger still pending is forgotten after this (epoch seconds; the table's TTL). */
  expiresAt?: number;
  /** An operator's name for it and notes (REST API). */
  label?: string;
  description?: string;
  /** Who registered it (an operator, a machine client, or absent: the CLI, auto-registration). */
  createdBy?: string;
  updatedAt?: string;
  updatedBy?: string;
  /** Moved on by every operator write of the profile (PATCH): the condition that makes a lost update a 412. */
  version?: number;
}

/** The stored profile with the password hash (its own item), which only the password check reads. */
export interface ChargerItem extends ChargerProfile {
  passwordHash: string;
  /**
   * A new password the charger accepted (ChangeConfiguration AuthorizationKey, SetVariables BasicAuthPassword) but has
   * not connected with yet: both are valid until it does, then only the new one.
   */
  nextPasswordHash?: string;
}

/** Whether a profile is gone for every purpose although DynamoDB's TTL has not deleted it yet. */
export const hasExpired = (charger: Pick<ChargerProfile, 'expiresAt'>, now: Date): boolean =>
  charger.expiresAt !== undefined && charger.expiresAt * 1000 <= now.getTime();

export interface NewCharger {
  chargerId: string;
  registrationStatus?: RegistrationStatus;
  securityProfile?: 1 | 2;
  locationId?: string;
  defaultProtocol?: OcppProtocol;
  autoRegistered?: boolean;
  /** A password to hash (trust on first use for auto-registration); generated when absent. */
  password?: string;
  /** Who chose `password`: a charger (scrypt) unless it is an enrolment code the CSMS generated. @default 'chosen' */
  passwordOrigin?: PasswordOrigin;
  /** Epoch seconds after which the charger is forgotten (pending auto-registration). */
  expiresAt?: number;
  label?: string;
  description?: string;
  createdBy?: string;
}

/** Ports with the password pepper, for operations that hash generated passwords. */
export type CredentialPorts = Ports & Partial<PasswordKeys>;

/** Closes a charger's live connection; a connection that is already gone is fine. */
export interface ConnectionCloser {
  close(connectionId: string): Promise<void>;
}

export type CreateChargerResult =
  | { created: true; profile: ChargerProfile; password: string }
  /** `no-location`: the location it names does not exist. */
  | { created: false; reason: 'exists' | 'invalid-id' | 'no-location' };

export const isAccepted = (charger: ChargerProfile | undefined): boolean => charger?.registrationStatus === 'accepted';

/**
 * The id a charger is registered under, for an id in any case (CP-1 and cp-1 are one charger): its records are keyed
 * by that spelling. One GetItem of the profile. An id no profile has is answered as given: a charger deleted with
 * its history kept still has its records under the id it had.
 */
export const registeredChargerId = async (deps: Pick<Ports, 'stores'>, chargerId: string): Promise<string> =>
  (await deps.stores.chargers.get(chargerId))?.chargerId ?? chargerId;

export const createCharger = async (deps: CredentialPorts, input: NewCharger): Promise<CreateChargerResult> => {
  if (!isValidChargerId(input.chargerId)) return { created: false, reason: 'invalid-id' };
  const password = input.password ?? generateChargerPassword();
  const origin: PasswordOrigin = input.password === undefined ? 'generated' : (input.passwordOrigin ?? 'chosen');
  const profile: ChargerProfile = {
    chargerId: input.chargerId,
    registrationStatus: input.registrationStatus ?? 'accepted',
    securityProfile: input.securityProfile ?? 2,
    createdAt: deps.now().toISOString(),
    ...(input.locationId ? { locationId: input.locationId } : {}),
    ...(input.defaultProtocol ? { defaultProtocol: input.defaultProtocol } : {}),
    ...(input.autoRegistered ? { autoRegistered: true } : {}),
    ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
    ...(input.label ? { label: input.label } : {}),
    ...(input.description ? { description: input.description } : {}),
    ...(input.createdBy ? { createdBy: input.createdBy } : {}),
    version: 1,
  };
  // A charger at a location is counted there in the same transaction (the location must exist).
  const outcome = await deps.stores.chargers.createIfAbsent({ ...profile, passwordHash: await hashPassword(password, origin, deps) }, { countAtLocation: true });
  return outcome === 'created' ? { created: true, profile, password } : { created: false, reason: outcome };
};

/**
 * Closes the charger's live connection, if it has one: what the authorizer put in its context (its registration)
 * or the password it was let in with has changed. Its reconnect goes through the authorizer again.
 */
const disconnect = async (deps: Ports, closer: ConnectionCloser | undefined, chargerId: string): Promise<string | undefined> => {
  const presence = await deps.stores.presence.get(chargerId);
  if (!closer || !presence?.connected || !presence.connectionId) return undefined;
  await closer.close(presence.connectionId);
  deps.log.info('charger connection closed: its registration or password changed', { chargerId, connectionId: presence.connectionId });
  return presence.connectionId;
};

export interface RotatedPassword {
  /** The new clear password, shown once. */
  password: string;
  /** The live connection closed, if there was one. */
  closedConnectionId?: string;
}

/** Replaces the password with a generated one and closes the live connection; undefined for an unknown charger. */
export const rotatePassword = async (deps: CredentialPorts, chargerId: string, closer?: ConnectionCloser): Promise<RotatedPassword | undefined> => {
  const profile = await deps.stores.chargers.get(chargerId);
  if (!profile) return undefined;
  const password = generateChargerPassword();
  if (!(await deps.stores.chargers.replacePasswordHash(chargerId, await hashPassword(password, 'generated', deps), deps.now()))) return undefined;
  const closedConnectionId = await disconnect(deps, closer, profile.chargerId);
  return { password, ...(closedConnectionId ? { closedConnectionId } : {}) };
};

export interface RegistrationChange {
  profile: ChargerProfile;
  /** On acceptance: the new generated password (shown once). Whatever password the charger chose is void. */
  password?: string;
  closedConnectionId?: string;
}

export interface RegistrationOptions {
  /** Closes the live connection, whose authorizer context still carries the old status. */
  readonly closer?: ConnectionCloser;
  /**
   * Whether the caller may receive a charger's password, which accepting a charger that is not accepted answers
   * (REST: admins only). @default true (the CLI, which holds the account's credentials anyway)
   */
  readonly mayReceivePassword?: boolean;
}

/**
 * Why nothing was written: no such charger; `may-not-receive-password`: the change would answer a password this caller may
 * not receive; `changed`: the status moved on between the read and the write (another decision won), so the
 * decision taken on the read no longer holds.
 */
export type RegistrationRefusal = 'not-found' | 'may-not-receive-password' | 'changed';

/**
 * An operator's decision on a charger. Acceptance replaces the password with a generated one: an auto-registered
 * charger chose its own, and whoever chose it (a squatter, perhaps) must not keep an accepted identity by it. A
 * changed status closes the live connection, whose authorizer context still carries the old one.
 *
 * Whether the change issues a password is decided on one strongly consistent read, and the status write is
 * conditioned on the status that read found: a caller who may not receive a password cannot get one by racing a
 * `pending` of their own (or anyone's) against an `accepted`.
 */
export const setRegistration = async (
  deps: CredentialPorts,
  chargerId: string,
  status: RegistrationStatus,
  options: RegistrationOptions = {},
): Promise<RegistrationChange | RegistrationRefusal> => {
  const { closer, mayReceivePassword = true } = options;
  const before = await deps.stores.chargers.get(chargerId, true);
  if (!before) return 'not-found';
  const issuesPassword = status === 'accepted' && before.registrationStatus !== 'accepted';
  if (issuesPassword && !mayReceivePassword) return 'may-not-receive-password';
  const profile = await deps.stores.chargers.setRegistrationStatus(before, status);
  if (typeof profile === 'string') return profile;
  if (issuesPassword) {
    const rotated = await rotatePassword(deps, chargerId, closer);
    if (!rotated) return 'not-found';
    return { profile, password: rotated.password, ...(rotated.closedConnectionId ? { closedConnectionId: rotated.closedConnectionId } : {}) };
  }
  const closedConnectionId = before.registrationStatus === status ? undefined : await disconnect(deps, closer, profile.chargerId);
  return { profile, ...(closedConnectionId ? { closedConnectionId } : {}) };
};
