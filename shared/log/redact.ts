/**
 * Masking of secrets in OCPP payloads: charger passwords (1.6 AuthorizationKey, 2.x BasicAuthPassword) set by
 * ChangeConfiguration / SetVariables or reported by GetConfiguration, NotifyReport and NotifyEvent, network
 * profile credentials, and the credentials in locations: signatures of presigned URLs, a password in a URL's user
 * info (a generated `sftp://` location's upload token), and path segments shaped like an upload token (a generated
 * HTTPS upload location, a generated firmware download location). Used for the message log, for every payload stored as received and for commands as stored.
 */
/** What a secret is replaced with. */
export const MASK = '***';
/** Property names that hold a secret wherever they appear. */
const SECRET_PROPERTY = /password|secret|authorizationkey/i;
/** Where a secret setting's value is: 1.6 key-value, 2.x Set/GetVariables, NotifyEvent. */
const SECRET_VALUE_FIELDS = new Set(['value', 'attributeValue', 'actualValue']);
/** Configuration keys / device-model variables whose value is a secret (1.6 key-value, 2.x variable). */
const SECRET_SETTING = /^(AuthorizationKey|BasicAuthPassword)$/i;

/**
 * Query parameters that make a presigned URL (SigV4) a credential while it lives: one an operator gives as a location.
 * The rest of the URL (host, key, expiry) stays readable.
 */
const SIGNED_URL_PARAMS = /([?&](?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=)[^&#]*/gi;
/** Where OCPP payloads carry URLs a charger fetches from or uploads to (`location`, `remoteLocation`). */
const LOCATION_PROPERTY = /location$/i;

/** The password of a URL's user info (`scheme://user:password@host`): the user name stays readable. */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#@]*@/i;
/**
 * A path segment shaped like an upload or download token (shared/file/upload-token.ts, firmware-download.ts: 43
 * characters of base64url). An operator's own URL with such a segment is masked too where it is shown, never where it
 * is sent: over-masking a view costs less than a token left readable.
 */
const TOKEN_SEGMENT = /(?<=\/)[A-Za-z0-9_-]{43}(?=[/?#]|$)/g;

/** A URL with the signature, credential and session token of a presigned URL masked. */
export const maskSignedUrl = (url: string): string => url.replace(SIGNED_URL_PARAMS, `$1${MASK}`);

/** A location with every credential it may carry masked: presigned URL parameters, a user-info password, upload tokens. */
export const maskLocation = (url: string): string => maskSignedUrl(url).replace(URL_PASSWORD, `$1${MASK}@`).replace(TOKEN_SEGMENT, MASK);

/** Whether a 1.6 configuration key or a 2.x variable of this name holds a secret (a charger password). */
export const isSecretSetting = (name: string): boolean => SECRET_SETTING.test(name);

const settingName = (node: Record<string, unknown>): string | undefined => {
  if (typeof node.key === 'string') return node.key;
  const variable = node.variable as { name?: unknown } | undefined;
  return typeof variable?.name === 'string' ? variable.name : undefined;
};

/**
 * How deep redaction walks. OCPP payloads nest fewer than ten levels; a frame nested thousands deep (the schema
 * refuses it, but it is still logged) would overflow the stack. What lies deeper is not stored: unread, it could
 * hide a secret.
 */
export const MAX_REDACT_DEPTH = 32;
export const TOO_DEEP = '[nested too deep: not logged]';
const NOT_LOGGED = '[could not be masked: not logged]';
const SECRET_SETTING_TEXT = /AuthorizationKey|BasicAuthPassword|"vpn"/i;

/** Masks the secrets in any OCPP payload (or part of one); returns a copy. */
export const redactPayload = (node: unknown, depth = 0): unknown => {
  if (node !== null && typeof node === 'object' && depth >= MAX_REDACT_DEPTH) return TOO_DEEP;
  const inner = (v: unknown) => redactPayload(v, depth + 1);
  if (Array.isArray(node)) return node.map(inner);
  if (node === null || typeof node !== 'object') return node;
  const obj = node as Record<string, unknown>;
  const secretSetting = SECRET_SETTING.test(settingName(obj) ?? '');
  return Object.fromEntries(
    Object.entries(obj).map(([k, v]) => {
      if (secretSetting && SECRET_VALUE_FIELDS.has(k)) return [k, MASK];
      // 2.x NotifyReport: the values of a secret variable sit in its variableAttribute list.
      if (secretSetting && k === 'variableAttribute' && Array.isArray(v)) {
        return [k, v.map((a: unknown) => (a && typeof a === 'object' && 'value' in a ? { ...a, value: MASK } : a))];
      }
      if (SECRET_PROPERTY.test(k) && typeof v !== 'object') return [k, MASK];
      if (LOCATION_PROPERTY.test(k) && typeof v === 'string') return [k, maskLocation(v)];
      // 2.x SetNetworkProfile: vpn.key is the VPN's shared secret (elsewhere `key` names a 1.6 setting).
      if (k === 'vpn' && v && typeof v === 'object') return [k, { ...(inner(v) as object), key: MASK }];
      return [k, inner(v)];
    }),
  );
};

/**
 * Masks secrets in a raw frame; text that is not JSON is stored as received (it carries no structure to mask).
 * Never throws: if masking fails all the same, the raw text is kept only when nothing in it looks like a secret.
 */
export const redactFrame = (raw: string): { frame: string; parsed?: unknown[]; redactionFailed?: true } => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { frame: raw };
  }
  if (!Array.isArray(parsed)) return { frame: raw };
  try {
    const redacted = redactPayload(parsed) as unknown[];
    return { frame: JSON.stringify(redacted), parsed: redacted };
  } catch {
    return { frame: SECRET_PROPERTY.test(raw) || SECRET_SETTING_TEXT.test(raw) ? NOT_LOGGED : raw, redactionFailed: true };
  }
};
