/**
 * How the SFTP stand-in reads its identity provider's answer, as AWS Transfer Family does: a blank `Role` denies the
 * login; otherwise a LOGICAL home whose `/` maps to `/<bucket>/<folder>` is the session's chroot, and the session
 * policy (`Policy`, JSON text) decides which keys it may put. Only what this platform answers is understood: one
 * mapping of `/` into the stand-in's own bucket; anything else is refused, saying why, rather than half-honoured.
 */

/** A login the identity provider accepted. */
export interface UploadSession {
  /** The local bucket sessions write to. */
  readonly bucket: string;
  /** The session's folder in it (trailing slash): `/` of the session. */
  readonly home: string;
  /** Whether the session policy lets the session put this key (no policy: the role decides, here nothing does). */
  canPut(key: string): boolean;
}

export type AnswerReading = { readonly session: UploadSession } | { readonly refused: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const parse = (text: unknown, what: string): unknown => {
  if (typeof text !== 'string') throw new Error(`${what} is not JSON text`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
};

/**
 * An IAM pattern (ARN or StringLike value) as a regular expression: `*` any run, `?` one character, `${*}`, `${?}`
 * and `${$}` those characters themselves.
 */
export const iamPattern = (pattern: string, flags = ''): RegExp => {
  const parts = pattern.split(/(\$\{[*?$]\}|[*?])/).map((part) => {
    if (part === '*') return '.*';
    if (part === '?') return '.';
    const literal = /^\$\{([*?$])\}$/.exec(part)?.[1] ?? part;
    return literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('')}$`, flags);
};

const matchesAny = (patterns: unknown, value: string, flags = ''): boolean =>
  list(patterns).some((p) => typeof p === 'string' && iamPattern(p, flags).test(value));

/** Whether a statement applies to `action` on `resource`; a condition the stand-in cannot judge makes it not apply. */
const applies = (s: Json, action: string, resource: string): boolean => {
  const actionOk = s.Action !== undefined ? matchesAny(s.Action, action, 'i') : s.NotAction !== undefined && !matchesAny(s.NotAction, action, 'i');
  const resourceOk = s.Resource !== undefined ? matchesAny(s.Resource, resource) : s.NotResource !== undefined && !matchesAny(s.NotResource, resource);
  return actionOk && resourceOk;
};

/** IAM's rule on one policy: allowed when an Allow applies and no Deny does (a Deny with a condition counts). */
export const policyAllows = (policy: unknown, action: string, resource: string): boolean => {
  const statements = isObject(policy) ? list(policy.Statement).filter(isObject) : [];
  const denied = statements.some((s) => s.Effect === 'Deny' && applies(s, action, resource));
  const allowed = statements.some((s) => s.Effect === 'Allow' && s.Condition === undefined && applies(s, action, resource));
  return allowed && !denied;
};

const homeOf = (details: unknown, bucket: string): string => {
  const mappings = parse(details, 'HomeDirectoryDetails');
  if (!Array.isArray(mappings) || mappings.length !== 1 || !isObject(mappings[0]) || mappings[0].Entry !== '/') {
    throw new Error('HomeDirectoryDetails must map `/` alone (the stand-in knows no other layout)');
  }
  const target = mappings[0].Target;
  const match = typeof target === 'string' ? /^\/([^/]+)\/(.+?)\/*$/.exec(target) : null;
  if (!match) throw new Error(`the home target ${JSON.stringify(target)} is not /<bucket>/<folder>`);
  if (match[1] !== bucket) throw new Error(`the home target names bucket ${match[1]}, the stand-in writes to ${bucket}`);
  return `${match[2]}/`;
};

/** The session an answer grants, or why the login is refused (`denied` for the empty answer of a refusal). */
export const readIdentityAnswer = (answer: unknown, bucket: string): AnswerReading => {
  if (!isObject(answer) || typeof answer.Role !== 'string' || answer.Role.trim() === '') return { refused: 'denied' };
  if (answer.HomeDirectoryType !== 'LOGICAL') return { refused: 'the stand-in serves LOGICAL home directories only' };
  try {
    const home = homeOf(answer.HomeDirectoryDetails, bucket);
    const policy = answer.Policy === undefined ? undefined : parse(answer.Policy, 'Policy');
    const canPut = (key: string) => policy === undefined || policyAllows(policy, 's3:PutObject', `arn:aws:s3:::${bucket}/${key}`);
    return { session: { bucket, home, canPut } };
  } catch (e) {
    return { refused: (e as Error).message };
  }
};
