/**
 * Entity tags of operator-facing representations. The tag is a digest of exactly what a GET answers, so an operator's
 * `If-Match` says "the resource as I last saw it": the domain compares it with the tag of the current representation
 * before writing, and writes with a condition on the version it read, so a change in between is a 412, never a lost
 * update.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal representations have equal tags whatever order their keys were built in. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
};

/** A strong ETag (quoted) of a representation. */
export const etagOf = (representation: unknown): string =>
  `"${createHash('sha256').update(canonical(representation)).digest('base64url').slice(0, 22)}"`;

/**
 * Whether an `If-Match` header value admits the current representation (`*` admits any existing one). If-Match
 * compares strongly (RFC 9110 §13.1.1): a weak tag never matches.
 */
export const ifMatchAdmits = (ifMatch: string, representation: unknown): boolean => {
  const current = etagOf(representation);
  return ifMatch.split(',').map((t) => t.trim()).some((t) => t === '*' || t === current);
};
