/**
 * CORS of the REST API for the operator console: decided here once, so the CDK stack (the OPTIONS preflight API
 * Gateway answers itself) and the handlers (the headers on real responses, which a Lambda proxy integration must
 * set) agree. Only configured origins are ever echoed; with none configured there is no CORS at all.
 */

/** Request headers a console may send: the token, JSON bodies, conditional requests and idempotent creates. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match', 'Idempotency-Key'] as const;
/** Response headers a console may read: the representation's version and a created resource's address. */
export const CORS_EXPOSED_HEADERS = ['ETag', 'Location'] as const;
/** How long a browser may reuse a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 600;
/** Set on every `http` route's function when the stage has console origins: the origins, comma-separated. */
export const CORS_ORIGINS_VAR = 'CORS_ALLOWED_ORIGINS';

/** The allowed origins from CORS_ALLOWED_ORIGINS (absent or empty: none). */
export const corsOriginsOf = (value: string | undefined): string[] =>
  (value ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '');

/**
 * The CORS headers of a real (non-preflight) response to a request from `origin`: none unless the origin is allowed.
 * `Vary: Origin` whenever CORS is on, so a shared cache never serves one origin's answer to another.
 */
export const corsHeadersFor = (origin: string | undefined, allowed: readonly string[]): Record<string, string> => {
  if (allowed.length === 0) return {};
  if (!origin || !allowed.includes(origin)) return { Vary: 'Origin' };
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS.join(', '),
    Vary: 'Origin',
  };
};
