/**
 * The charger registry: one profile item per charger (identity, registration, hardware from Boot,
 * password hash). Presence (live connection, last seen) lives in its own item, see presence.ts, so the
 * frequent heartbeat writes stay one write unit and never touch the profile's indexes.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mapPage, queryPage, type Page, type PageOptions } from '../store/queries.ts';
import type { StoreDeps } from '../deps.ts';
import type { OcppProtocol } from '../ocpp/frames.ts';
import { chargerKey, locationChargersPk, withoutKeys } from '../store/keys.ts';
import { isConditionFailed } from '../store/document-client.ts';
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

/** The stored item also holds the password hash, which never leaves this module's callers unmasked. */
export interface ChargerItem extends ChargerProfile {
  passwordHash: string;
}

/** All chargers sort under one gsi2 partition; profile items change rarely, so it stays cool. */
const ALL_CHARGERS_PK = 'CHARGERS';

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

const indexKeys = (chargerId: string, locationId: string | undefined) => ({
  gsi2pk: ALL_CHARGERS_PK,
  gsi2sk: chargerId,
  ...(locationId ? { gsi1pk: locationChargersPk(locationId), gsi1sk: chargerId } : {}),
});

export const toProfile = (item: ChargerItem): ChargerProfile => {
  const { passwordHash: _hidden, ...rest } = item;
  return withoutKeys<ChargerProfile>(rest);
};

export const createCharger = async (deps: StoreDeps, input: NewCharger): Promise<CreateChargerResult> => {
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
  try {
    await deps.db.send(
      new PutCommand({
        TableName: deps.tables.csms,
        Item: {
          ...chargerKey(input.chargerId),
          ...indexKeys(input.chargerId, input.locationId),
          type: 'Charger',
          ...profile,
          passwordHash: await hashPassword(password),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (isConditionFailed(error)) return { created: false, reason: 'exists' };
    throw error;
  }
  return { created: true, profile, password };
};

export const getChargerItem = async (
  deps: StoreDeps,
  chargerId: string,
  consistent = false,
): Promise<ChargerItem | undefined> => {
  const out = await deps.db.send(
    new GetCommand({ TableName: deps.tables.csms, Key: chargerKey(chargerId), ConsistentRead: consistent }),
  );
  return out.Item as ChargerItem | undefined;
};

export const getCharger = async (deps: StoreDeps, chargerId: string): Promise<ChargerProfile | undefined> => {
  const item = await getChargerItem(deps, chargerId);
  return item && toProfile(item);
};


export const listChargers = async (
  deps: StoreDeps,
  options: PageOptions & { locationId?: string } = {},
): Promise<Page<ChargerProfile>> => {
  const { locationId, ...page } = options;
  const query = locationId !== undefined ? { index: 'gsi1' as const, pk: locationChargersPk(locationId) } : { index: 'gsi2' as const, pk: ALL_CHARGERS_PK };
  return mapPage(await queryPage(deps, query, page), (item) => toProfile(item as unknown as ChargerItem));
};

const updateProfile = async (
  deps: StoreDeps,
  chargerId: string,
  set: Record<string, unknown>,
): Promise<ChargerProfile | undefined> => {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const assignments = Object.entries(set).map(([k, v], i) => {
    names[`#f${i}`] = k;
    values[`:v${i}`] = v;
    return `#f${i} = :v${i}`;
  });
  try {
    const out = await deps.db.send(
      new UpdateCommand({
        TableName: deps.tables.csms,
        Key: chargerKey(chargerId),
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toProfile(out.Attributes as ChargerItem);
  } catch (error) {
    if (isConditionFailed(error)) return undefined;
    throw error;
  }
};

export const setRegistrationStatus = (deps: StoreDeps, chargerId: string, status: RegistrationStatus) =>
  updateProfile(deps, chargerId, { registrationStatus: status });

/** Replaces the password; returns the new clear password once, or undefined for an unknown charger. */
export const rotatePassword = async (deps: StoreDeps, chargerId: string): Promise<string | undefined> => {
  const password = generatePassword();
  const updated = await updateProfile(deps, chargerId, {
    passwordHash: await hashPassword(password),
    passwordRotatedAt: deps.now().toISOString(),
  });
  return updated && password;
};

/** Stores what BootNotification reported; returns the profile (with its registration status) or undefined. */
export const recordBoot = (deps: StoreDeps, chargerId: string, facts: BootFacts) => {
  const defined = Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined));
  return updateProfile(deps, chargerId, { ...defined, lastBootAt: deps.now().toISOString() });
};
