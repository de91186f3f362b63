/**
 * REST resource paths with `{name}` parameters, matched as API Gateway matches them: segment by segment, a
 * literal segment winning over a parameter: the local REST host asks which route serves a request.
 */
export interface PathRoute {
  readonly method: string;
  readonly path: string;
}

export interface PathMatch<R> {
  readonly route: R;
  readonly pathParameters: Readonly<Record<string, string>>;
}

const PARAM = /^\{([A-Za-z0-9_]+)\}$/;

const segments = (path: string): string[] => path.split('/').filter((s) => s !== '');

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/**
 * Whether `path` is a valid resource path: `/`, literal segments and `{name}` parameters. A literal may hold `:`
 * (API Gateway accepts it in a path part; custom methods such as `/chargers:import`).
 */
export const isResourcePath = (path: string): boolean =>
  path.startsWith('/') && segments(path).every((s) => PARAM.test(s) || /^[A-Za-z0-9._~:-]+$/.test(s));

const match = (template: string, actual: readonly string[]): Record<string, string> | undefined => {
  const parts = segments(template);
  if (parts.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, p] of parts.entries()) {
    const name = PARAM.exec(p)?.[1];
    if (name) params[name] = decode(actual[i]!);
    else if (p !== actual[i]) return undefined;
  }
  return params;
};

/** Literal segments first: `/chargers/active` beats `/chargers/{id}` for `/chargers/active`. */
const specificity = (path: string): string => segments(path).map((s) => (PARAM.test(s) ? '0' : '1')).join('');

/** The route serving `method` on `path` (the request path without the stage), or undefined. */
export const findPathRoute = <R extends PathRoute>(routes: readonly R[], method: string, path: string): PathMatch<R> | undefined => {
  const actual = segments(path);
  const candidates = routes
    .filter((r) => r.method === method)
    .flatMap((route) => {
      const pathParameters = match(route.path, actual);
      return pathParameters ? [{ route, pathParameters }] : [];
    });
  return candidates.sort((a, b) => specificity(b.route.path).localeCompare(specificity(a.route.path)))[0];
};

