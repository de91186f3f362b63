/**
 * Charger WebSocket lifecycle: who may connect ($connect authorizer), which OCPP version they speak,
 * and registering/unregistering the live connection. No API Gateway types here: the handlers in
 * functions/ws translate events into these inputs.
 */
import type { Ports } from '../deps.ts';
import { PROTOCOL_PREFERENCE, type OcppProtocol } from '../ocpp/frames.ts';
import { isValidChargerId } from './charger-id.ts';
import { generatePassword, hashPassword, parseBasicAuth, secretsEqual, verifyPassword } from './credentials.ts';
import { createCharger } from './registry.ts';

/** OCPP 2.0.1 BasicAuthPassword and the 1.6 security whitepaper's AuthorizationKey: 16 to 40 characters. */
const MIN_PASSWORD_LENGTH = 16;

export interface ConnectionPolicy {
  /**
   * The values CloudFront may add as X-Origin-Verify (the current one, and the previous one during a rotation);
   * requests without one of them did not come through CloudFront.
   */
  originSecrets: readonly string[];
  autoRegister: boolean;
}

export interface UpgradeRequest {
  chargerId: string | undefined;
  /** The charger's Basic credentials (CloudFront copies Authorization into X-Ocpp-Authorization). */
  authorization: string | undefined;
  originSecret: string | undefined;
  /** Raw Sec-WebSocket-Protocol request header: a comma-separated list. */
  offeredProtocols: string | undefined;
  /** `http` or `https` as the charger reached the edge (CloudFront-Forwarded-Proto); unknown locally. */
  viewerProtocol?: string | undefined;
}

export type UpgradeDecision =
  | {
      outcome: 'allow';
      chargerId: string;
      /** Empty when the charger offered nothing we speak and has no default: $connect refuses it. */
      protocol: OcppProtocol | '';
      /** Whether to echo the protocol; not when the charger offered none (the default applies silently). */
      echoProtocol: boolean;
      /** Unknown charger admitted by auto-registration: $connect creates it `pending`. */
      register: boolean;
    }
  | { outcome: 'unauthorized'; reason: string }
  | { outcome: 'forbidden'; reason: string };

export interface ProtocolChoice {
  protocol: OcppProtocol;
  echo: boolean;
}

let decoy: Promise<string> | undefined;
const decoyHash = () => (decoy ??= hashPassword(generatePassword()));

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

export const decideUpgrade = async (
  deps: Ports,
  policy: ConnectionPolicy,
  request: UpgradeRequest,
): Promise<UpgradeDecision> => {
  const presented = request.originSecret;
  if (!presented || !policy.originSecrets.some((s) => secretsEqual(presented, s))) {
    return { outcome: 'forbidden', reason: 'request did not come through the edge' };
  }
  const chargerId = request.chargerId ?? '';
  if (!isValidChargerId(chargerId)) return { outcome: 'forbidden', reason: 'invalid charger id' };
  const credentials = parseBasicAuth(request.authorization);
  // OCPP 1.6 security whitepaper / 2.0.1 A00: the Basic username is the charging station identity.
  if (!credentials || credentials.username !== chargerId) {
    return { outcome: 'unauthorized', reason: credentials ? 'username is not the charger id' : 'no Basic credentials' };
  }
  const charger = await deps.stores.chargers.getWithSecret(chargerId, true);
  if (!charger) {
    // Spend the same time as a password check, so response times do not tell which ids exist.
    await verifyPassword(credentials.password, await decoyHash());
    if (!policy.autoRegister) return { outcome: 'unauthorized', reason: 'unknown charger' };
    const choice = chooseProtocol(request.offeredProtocols);
    return { outcome: 'allow', chargerId, protocol: choice?.protocol ?? '', echoProtocol: choice?.echo ?? false, register: true };
  }
  if (!(await verifyPassword(credentials.password, charger.passwordHash))) {
    return { outcome: 'unauthorized', reason: 'wrong password' };
  }
  // Security profile 2 and up: Basic credentials only over TLS. Plain ws:// is for profile 1 chargers.
  if (request.viewerProtocol === 'http' && charger.securityProfile !== 1) {
    return { outcome: 'forbidden', reason: `security profile ${charger.securityProfile} requires wss://` };
  }
  const choice = chooseProtocol(request.offeredProtocols, charger.defaultProtocol);
  return { outcome: 'allow', chargerId, protocol: choice?.protocol ?? '', echoProtocol: choice?.echo ?? false, register: false };
};

/** Closes a superseded connection; a connection that is already gone is fine. */
export interface ConnectionCloser {
  close(connectionId: string): Promise<void>;
}

export interface OpenConnectionInput {
  chargerId: string;
  connectionId: string;
  protocol: OcppProtocol;
  connectedAt: number;
  sourceIp?: string;
  register: boolean;
  /** Basic credentials of the request, used only to store a first password for an auto-registered charger. */
  authorization?: string;
  /** How an auto-registered charger came in: over plain ws:// it is registered as security profile 1. */
  viewerProtocol?: string;
}

export type OpenConnectionResult = { opened: true; replacedConnectionId?: string } | { opened: false; reason: string };

export const openConnection = async (
  deps: Ports,
  closer: ConnectionCloser,
  input: OpenConnectionInput,
): Promise<OpenConnectionResult> => {
  if (input.register) {
    const password = parseBasicAuth(input.authorization)?.password;
    if (!password || password.length < MIN_PASSWORD_LENGTH) {
      return { opened: false, reason: `auto-registration needs a Basic password of at least ${MIN_PASSWORD_LENGTH} characters` };
    }
    const created = await createCharger(deps, {
      chargerId: input.chargerId,
      registrationStatus: 'pending',
      autoRegistered: true,
      securityProfile: input.viewerProtocol === 'http' ? 1 : 2,
      password,
    });
    // Created meanwhile by another connection: its password was never checked against ours, so refuse;
    // the charger's reconnect goes through the normal password check.
    if (!created.created) return { opened: false, reason: 'charger was registered concurrently' };
    deps.log.info('charger auto-registered as pending', { chargerId: input.chargerId });
  }
  const attached = await deps.stores.presence.attach(input);
  if (!attached.attached) return { opened: false, reason: 'a newer connection of this charger exists' };
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
  if (!wasCurrent) deps.log.debug('disconnect of a superseded connection', { chargerId, connectionId });
};
