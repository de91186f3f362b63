/**
 * Masking of secrets in OCPP payloads: charger passwords (1.6 AuthorizationKey, 2.x BasicAuthPassword) set by
 * ChangeConfiguration / SetVariables or reported by GetConfiguration, NotifyReport and NotifyEvent, and network
 * profile credentials. Used for the message log and for every payload stored as received.
 */
const MASK = '***';
/** Property names that hold a secret wherever they appear. */
const SECRET_PROPERTY = /password|secret|authorizationkey/i;
/** Where a secret setting's value is: 1.6 key-value, 2.x Set/GetVariables, NotifyEvent. */
const SECRET_VALUE_FIELDS = new Set(['value', 'attributeValue', 'actualValue']);
/** Configuration keys / device-model variables whose value is a secret (1.6 key-value, 2.x variable). */
const SECRET_SETTING = /^(AuthorizationKey|BasicAuthPassword)$/i;

const settingName = (node: Record<string, unknown>): string | undefined => {
  if (typeof node.key === 'string') return node.key;
  const variable = node.variable as { name?: unknown } | undefined;
  return typeof variable?.name === 'string' ? variable.name : undefined;
};

/** Masks the secrets in any OCPP payload (or part of one); returns a copy. */
export const redactPayload = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(redactPayload);
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
      // 2.x SetNetworkProfile: vpn.key is the VPN's shared secret (elsewhere `key` names a 1.6 setting).
      if (k === 'vpn' && v && typeof v === 'object') return [k, { ...(redactPayload(v) as object), key: MASK }];
      return [k, redactPayload(v)];
    }),
  );
};

/** Masks secrets in a raw frame; text that is not JSON is stored as received (it carries no structure to mask). */
export const redactFrame = (raw: string): { frame: string; parsed?: unknown[] } => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { frame: raw };
  }
  if (!Array.isArray(parsed)) return { frame: raw };
  const redacted = redactPayload(parsed) as unknown[];
  return { frame: JSON.stringify(redacted), parsed: redacted };
};
