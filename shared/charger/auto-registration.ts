/**
 * Who may register itself by connecting (auto-registration: the `dev` stage, `npm start -- --auto-register`).
 * Letting any id in hands a serial number to whoever connects first, so an unknown charger is let in only if
 *
 * - its id matches the operator's allow-list (patterns, e.g. `ACME-*,TEST-??`, case-insensitive), or
 * - its Basic password is a one-time enrolment code the operator created (`npm run cli -- enrolment add`): a
 *   generated secret, stored as its MAC under the password pepper, used once, expiring.
 *
 * Either way it is created `pending`, at most `maxPending` wait at a time, and one nobody accepts or rejects is
 * forgotten after `pendingHours` (DynamoDB TTL; until then treated as unknown). Acceptance replaces its password
 * (registry.ts `setRegistration`).
 */
import type { Ports } from '../deps.ts';
import { chargerIdKey } from './charger-id.ts';
import { decodedAuthorizationKey, generateChargerPassword, looksLikeGeneratedChargerPassword, secretMac, type PasswordKeys } from './credentials.ts';

export interface AutoRegistrationPolicy {
  readonly enabled: boolean;
  /** Comma-separated id patterns (`*` any run, `?` one character); empty: only enrolment codes. */
  readonly allow: string;
  readonly maxPending: number;
  readonly pendingHours: number;
}

const escape = (s: string) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** Compiles the allow-list once per container. */
export const allowListMatcher = (allow: string): ((chargerId: string) => boolean) => {
  const patterns = allow
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => new RegExp(`^${escape(chargerIdKey(p)).replace(/\*/g, '.*').replace(/\?/g, '.')}$`));
  return (chargerId) => patterns.some((p) => p.test(chargerIdKey(chargerId)));
};

/** An operator's enrolment code as stored (without the code). */
export interface EnrolmentCode {
  createdAt: string;
  /** Epoch seconds (the table's TTL attribute). */
  expiresAt: number;
  label?: string;
  usedBy?: string;
  usedAt?: string;
}

export type EnrolmentPorts = Ports & Partial<PasswordKeys>;

const keysOf = (deps: Partial<PasswordKeys>): PasswordKeys => {
  if (!deps.passwordPepper) throw new Error('No password pepper: enrolment codes need the secret passwordPepper (PASSWORD_PEPPER_SECRET_ID)');
  return { passwordPepper: deps.passwordPepper };
};

/** Creates a code valid for `hours`; returns the clear code once. It is typed in as the charger's password: one of that form. */
export const createEnrolmentCode = async (deps: EnrolmentPorts, hours: number, label?: string): Promise<{ code: string; record: EnrolmentCode }> => {
  const code = generateChargerPassword();
  const now = deps.now();
  const record: EnrolmentCode = {
    createdAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + hours * 3600,
    ...(label ? { label } : {}),
  };
  if ((await deps.stores.enrolments.create(secretMac(keysOf(deps), code), record)) !== 'created') throw new Error('enrolment code collision');
  return { code, record };
};

/**
 * The enrolment code a charger presents: its Basic password, or for a 1.6 charger that sends an AuthorizationKey's hex
 * digits themselves (firmware older than the whitepaper), the code they stand for. Codes have the generated form, so
 * the digits are read only when they stand for one.
 */
export const presentedEnrolmentCode = (password: string, protocol: string | undefined): string => {
  const decoded = protocol === undefined || protocol === 'ocpp1.6' ? decodedAuthorizationKey(password) : undefined;
  return decoded !== undefined && looksLikeGeneratedChargerPassword(decoded) ? decoded : password;
};

/** Whether `password` is an enrolment code that is unused and unexpired now (the authorizer's read-only check). */
export const isUsableEnrolmentCode = async (deps: EnrolmentPorts, password: string): Promise<boolean> => {
  if (!looksLikeGeneratedChargerPassword(password)) return false;
  const found = await deps.stores.enrolments.get(secretMac(keysOf(deps), password));
  return found !== undefined && found.usedBy === undefined && found.expiresAt * 1000 > deps.now().getTime();
};

/** Uses the code up for `chargerId` ($connect); false when someone used it first or it expired meanwhile. */
export const consumeEnrolmentCode = (deps: EnrolmentPorts, password: string, chargerId: string): Promise<boolean> =>
  deps.stores.enrolments.consume(secretMac(keysOf(deps), password), chargerId, deps.now());
