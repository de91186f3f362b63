/**
 * Charger WebSocket lifecycle: who may connect ($connect authorizer), which OCPP version they speak,
 * and registering/unregistering the live connection. No API Gateway types here: the handlers in
 * functions/ws translate events into these inputs.
 */
import type { Ports } from '../deps.ts';
import { PROTOCOL_PREFERENCE, type OcppProtocol } from '../ocpp/frames.ts';
import { consumeEnrolmentCode, isUsableEnrolmentCode, presentedEnrolmentCode } from './auto-registration.ts';
import { isValidChargerId, sameChargerId } from './charger-id.ts';
import { checkPassword, decodedAuthorizationKey, decoyCheck, parseBasicAuth, secretsEqual, type PasswordKeys } from './credentials.ts';
import { createCharger, hasExpired, type ConnectionCloser, type RegistrationStatus } from './registry.ts';

export type { ConnectionCloser };

/** OCPP 2.0.1 BasicAuthPassword and the 1.6 security whitepaper's AuthorizationKey: 16 to 40 characters. */
const MIN_PASSWORD_LENGTH = 16;

export interface ConnectionPolicy {
  /**
   * The values CloudFront may add as X-Origin-Verify (the current one, and the previous one during a rotation);
   * requests without one of them did not come through CloudFront.
   */
  originSecrets: readonly string[];
  /** Whether unknown chargers may register themselves, and which (auto-registration.ts). */
  autoRegister: boolean;
  /** The auto-registration allow-list (`allowListMatcher`). @default none */
  allowListed?: (chargerId: string) => boolean;
}

/** What the domain needs at connect: the stores, and the pepper of generated passwords. */
export type ConnectPorts = Ports & Partial<PasswordKeys>;

export interface UpgradeRequest {
  chargerId: string | undefined;
  /** The charger's Basic credentials (CloudFront copies Authorization into X-Ocpp-Authorization). */
  authorization: string | undefined;
  originSecret: string | undefined;
  /** Raw Sec-WebSocket-Protocol request header: a comma-separated list. */
  offeredProtocols: string | undefined;
  /**
   * `http` or `https` as the charger reached the edge (CloudFront-Forwarded-Proto; the local edge sets it too).
   * Anything but `https`, absence included, counts as plain ws://.
   */
  viewerProtocol?: string | undefined;
}

export type UpgradeDecision =
  | {
      outcome: 'allow';
      /** As registered (the case the operator chose), whatever case the charger used. */
      chargerId: string;
      /** Empty when the charger offered nothing we speak and has no default: $connect refuses it. */
      protocol: OcppProtocol | '';
      /** Whether to echo the protocol; not when the charger offered none (the default applies silently). */
      echoProtocol: boolean;
      /** Unknown charger admitted by auto-registration: $connect creates it `pending`. */
      register: boolean;
      /** It registers by an enrolment code (its password), which $connect uses up. */
      enrolment: boolean;
      /** It presented the next password it accepted: $connect makes that the only one. */
      promotesPassword?: boolean;
      /** Its registration now; the context carries it to every event of the connection (inbound/registration-gate.ts). */
      registration: RegistrationStatus;
    }
  | { outcome: 'unauthorized'; reason: string }
  | { outcome: 'forbidden'; reason: string };

export interface ProtocolChoice {
  protocol: OcppProtocol;
  echo: boolean;
}

/** Picks the highest version we speak among those offered; falls back to the charger's default if it offered none. */
export const chooseProtocol = (offered: string | undefined, fallback?: OcppProtocol): ProtocolChoice | undefined => {
  const list = (offered ?? '')
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  if (list.length === 0) return fallback ? { protocol: fallback, echo: false } : undefined;
  const best = PROTOCOL_PREFERENCE.find((p) => list.includes(p));
  return best ? { protocol: best, echo: true } : undefined;
};

/**
 * The token the charger offered for `protocol`, spelled as it offered it (it is chosen in any case): a client checks
 * the echo against its own offer (RFC 6455 §4.1), so an offer of `OCPP1.6` answered `ocpp1.6` fails the handshake.
 */
export const offeredSpelling = (offered: string | undefined, protocol: OcppProtocol): string =>
  (offered ?? '').split(',').map((p) => p.trim()).find((p) => p.toLowerCase() === protocol) ?? protocol;

const allow = (chargerId: string, choice: ProtocolChoice | undefined, registration: RegistrationStatus, register = false, enrolment = false): UpgradeDecision => ({
  outcome: 'allow',
  chargerId,
  protocol: choice?.protocol ?? '',
  echoProtocol: choice?.echo ?? false,
  register,
  enrolment,
  registration,
});

/** An unknown id: refused, unless auto-registration lets it in (allow-list or enrolment code). */
const decideUnknown = async (deps: ConnectPorts, policy: ConnectionPolicy, request: UpgradeRequest, chargerId: string, password: string): Promise<UpgradeDecision> => {
  // Spend what a real id's check would cost, so response times do not tell which ids exist (a 1.6 one checks the
  // password hex digits stand for too).
  await decoyCheck(password, deps, policy.autoRegister);
  // No offer: a known charger's default version decides, which may be 1.6.
  const offered = chooseProtocol(request.offeredProtocols);
  const decoded = offered === undefined || offered.protocol === 'ocpp1.6' ? decodedAuthorizationKey(password) : undefined;
  if (decoded !== undefined) await decoyCheck(decoded, deps, policy.autoRegister);
  if (!policy.autoRegister) return { outcome: 'unauthorized', reason: 'unknown charger' };
  const listed = policy.allowListed?.(chargerId) ?? false;
  const enrolment = !listed && (await isUsableEnrolmentCode(deps, presentedEnrolmentCode(password, offered?.protocol)));
  if (!listed && !enrolment) return { outcome: 'unauthorized', reason: 'unknown charger, not on the auto-registration allow-list and no enrolment code' };
  // Basic credentials are chosen here once and for all; never over plain ws://.
  if (request.viewerProtocol !== 'https') return { outcome: 'forbidden', reason: 'auto-registration requires wss://' };
  return allow(chargerId, offered, 'pending', true, enrolment);
};

/** Decides a charger's upgrade, counting a refusal by its reason (a short text of ours: a bounded set of values). */
export const decideUpgrade = async (deps: ConnectPorts, policy: ConnectionPolicy, request: UpgradeRequest): Promise<UpgradeDecision> => {
  const decision = await decide(deps, policy, request);
  if (decision.outcome !== 'allow') deps.metrics?.record('connectRefusals', 1, { Reason: decision.reason });
  return decision;
};

const decide = async (deps: ConnectPorts, policy: ConnectionPolicy, request: UpgradeRequest): Promise<UpgradeDecision> => {
  const presented = request.originSecret;
  if (!presented || !policy.originSecrets.some((s) => secretsEqual(presented, s))) {
    return { outcome: 'forbidden', reason: 'request did not come through the edge' };
  }
  const chargerId = request.chargerId ?? '';
  if (!isValidChargerId(chargerId)) return { outcome: 'forbidden', reason: 'invalid charger id' };
  const credentials = parseBasicAuth(request.authorization);
  // OCPP 1.6 security whitepaper / 2.0.1 A00: the Basic username is the charging station identity (case-insensitive).
  if (!credentials || !sameChargerId(credentials.username, chargerId)) {
    return { outcome: 'unauthorized', reason: credentials ? 'username is not the charger id' : 'no Basic credentials' };
  }
  const stored = await deps.stores.chargers.getWithSecret(chargerId, true);
  const charger = stored && !hasExpired(stored, deps.now()) ? stored : undefined;
  if (!charger) return decideUnknown(deps, policy, request, chargerId, credentials.password);
  const choice = chooseProtocol(request.offeredProtocols, charger.defaultProtocol);
  const asSent = await checkHashes(deps, charger, credentials.password);
  // A 1.6 charger that puts its AuthorizationKey's hex digits in the header instead of the password they stand for
  // (firmware older than the whitepaper's reading): the password it was sent is checked too. Only for 1.6, the one
  // version with such a key, so no other connection pays a second check.
  const decoded = asSent.match || choice?.protocol !== 'ocpp1.6' ? undefined : decodedAuthorizationKey(credentials.password);
  const { match, next } = decoded !== undefined ? await checkHashes(deps, charger, decoded) : asSent;
  if (!match) {
    return { outcome: 'unauthorized', reason: asSent.otherPepper ? 'password hash made under another pepper' : 'wrong password' };
  }
  if (decoded !== undefined) deps.log.warn('charger sent its AuthorizationKey hex digits as its Basic password; tolerated', { chargerId: charger.chargerId });
  // OCPP 2.0.1 B03: a rejected charger is refused; it is told so only once its password is right.
  if (charger.registrationStatus === 'rejected') return { outcome: 'forbidden', reason: 'charger is rejected' };
  // Security profile 2 and up: Basic credentials only over TLS. Only a profile 1 charger may use plain ws://, and a
  // request that does not say how the charger came in counts as plain.
  if (request.viewerProtocol !== 'https' && charger.securityProfile !== 1) {
    return { outcome: 'forbidden', reason: `security profile ${charger.securityProfile} requires wss://` };
  }
  const allowed = allow(charger.chargerId, choice, charger.registrationStatus);
  return next && allowed.outcome === 'allow' ? { ...allowed, promotesPassword: true } : allowed;
};

/**
 * The password against the charger's hashes: its current one, then the one it accepted by command, which is valid
 * beside it until the charger connects with it (`next`).
 */
const checkHashes = async (deps: ConnectPorts, charger: { passwordHash: string; nextPasswordHash?: string }, password: string) => {
  const current = await checkPassword(password, charger.passwordHash, deps);
  const next = current !== 'match' && charger.nextPasswordHash !== undefined && (await checkPassword(password, charger.nextPasswordHash, deps)) === 'match';
  return { match: current === 'match' || next, next, otherPepper: current === 'other-pepper' };
};

export interface OpenConnectionInput {
  chargerId: string;
  connectionId: string;
  protocol: OcppProtocol;
  connectedAt: number;
  sourceIp?: string;
  register: boolean;
  /** It registers by the enrolment code it presents as its password. */
  enrolment?: boolean;
  /** Basic credentials of the request, used only to store a first password for an auto-registered charger. */
  authorization?: string;
  /** The authorizer admitted its next password (`promotesPassword`): it becomes the only one. */
  promotesPassword?: boolean;
}

/** Bounds on auto-registration (settings AUTO_REGISTER_MAX_PENDING, AUTO_REGISTER_PENDING_HOURS). */
export interface PendingLimits {
  maxPending: number;
  pendingHours: number;
}

const DEFAULT_PENDING_LIMITS: PendingLimits = { maxPending: 100, pendingHours: 72 };

/** Creates an auto-registered charger `pending`, expiring; a reason when it may not be. */
const register = async (deps: ConnectPorts, input: OpenConnectionInput, limits: PendingLimits): Promise<string | undefined> => {
  const sent = parseBasicAuth(input.authorization)?.password;
  // Registered by an enrolment code, the code is its password, however a 1.6 charger sent it.
  const password = sent !== undefined && input.enrolment ? presentedEnrolmentCode(sent, input.protocol) : sent;
  if (!password || password.length < MIN_PASSWORD_LENGTH) {
    return `auto-registration needs a Basic password of at least ${MIN_PASSWORD_LENGTH} characters`;
  }
  if ((await deps.stores.chargers.countPendingAutoRegistered(limits.maxPending)) >= limits.maxPending) {
    return `${limits.maxPending} auto-registered chargers are pending already: accept or reject some first`;
  }
  if (input.enrolment && !(await consumeEnrolmentCode(deps, password, input.chargerId))) return 'the enrolment code was used meanwhile or has expired';
  const created = await createCharger(deps, {
    chargerId: input.chargerId,
    registrationStatus: 'pending',
    autoRegistered: true,
    securityProfile: 2,
    password,
    // An enrolment code is a generated secret: it may serve as the first password, MACed, until acceptance.
    passwordOrigin: input.enrolment ? 'generated' : 'chosen',
    expiresAt: Math.floor(deps.now().getTime() / 1000) + limits.pendingHours * 3600,
  });
  // Created meanwhile by another connection: its password was never checked against ours, so refuse;
  // the charger's reconnect goes through the normal password check.
  if (!created.created) return 'charger was registered concurrently';
  deps.log.info('charger auto-registered as pending', { chargerId: input.chargerId, by: input.enrolment ? 'enrolment code' : 'allow-list' });
  return undefined;
};

export type OpenConnectionResult = { opened: true; replacedConnectionId?: string } | { opened: false; reason: string };

/** The authorizer admitted the charger by its next password: that one becomes its only one; the old one stops working. */
const promoteNextPassword = async (deps: ConnectPorts, input: OpenConnectionInput): Promise<void> => {
  if (await deps.stores.chargers.promoteNextPassword(input.chargerId, deps.now())) {
    deps.log.info('charger connected with its new password; the old one no longer works', { chargerId: input.chargerId });
  }
};

export const openConnection = async (
  deps: ConnectPorts,
  closer: ConnectionCloser,
  input: OpenConnectionInput,
  limits: PendingLimits = DEFAULT_PENDING_LIMITS,
): Promise<OpenConnectionResult> => {
  if (input.register) {
    const refused = await register(deps, input, limits);
    if (refused) {
      deps.metrics?.record('connectRefusals', 1, { Reason: 'auto-registration refused' });
      return { opened: false, reason: refused };
    }
  }
  const attached = await deps.stores.presence.attach(input);
  if (!attached.attached) {
    deps.metrics?.record('connectRefusals', 1, { Reason: 'a newer connection of this charger exists' });
    return { opened: false, reason: 'a newer connection of this charger exists' };
  }
  deps.metrics?.record('chargerConnects', 1, { Protocol: input.protocol });
  if (input.promotesPassword) await promoteNextPassword(deps, input);
  if (attached.replacedConnectionId) {
    deps.log.info('new connection replaces the old one', {
      chargerId: input.chargerId,
      replacedConnectionId: attached.replacedConnectionId,
    });
    // Best effort: the new connection is registered already, and refusing it now would leave it recorded
    // as live while API Gateway drops it. A replaced socket that stays open is ignored and idles out.
    await closer.close(attached.replacedConnectionId).catch((error: unknown) =>
      deps.log.error('could not close the replaced connection', { chargerId: input.chargerId, error }),
    );
    return { opened: true, replacedConnectionId: attached.replacedConnectionId };
  }
  return { opened: true };
};

export const closeConnection = async (deps: Ports, chargerId: string, connectionId: string): Promise<void> => {
  const wasCurrent = await deps.stores.presence.detach(chargerId, connectionId);
  deps.metrics?.record('chargerDisconnects', 1, {});
  if (!wasCurrent) deps.log.debug('disconnect of a superseded connection', { chargerId, connectionId });
};
