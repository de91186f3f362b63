/**
 * Errors of the REST API as RFC 9457 problem details (`application/problem+json`). A validation problem lists each
 * fault with the place it is at: a JSON pointer into the body (`pointer`) or the name of a query or path parameter
 * or header (`parameter`, `header`).
 */
import type { ZodError } from 'zod';

export interface ProblemFault {
  readonly detail: string;
  readonly pointer?: string;
  readonly parameter?: string;
  readonly header?: string;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class ApiProblem extends Error {
  override name = 'ApiProblem';
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: readonly ProblemFault[],
    options?: ErrorOptions,
  ) {
    super(detail, options);
  }

  body(instance?: string): Record<string, unknown> {
    return {
      type: 'about:blank',
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...(this.errors?.length ? { errors: this.errors } : {}),
    };
  }
}

/** Where a zod issue is, as the problem names it: body faults by JSON pointer, query faults by parameter name. */
export const faultsOf = (error: ZodError, where: 'body' | 'query' | 'path'): ProblemFault[] =>
  error.issues.map((issue) => {
    const path = issue.path.map(String);
    if (where === 'body') return { detail: issue.message, pointer: `/${path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` };
    // An unknown key is reported on the object holding it; name the keys themselves.
    const keys = (issue as { keys?: string[] }).keys;
    const parameter = keys?.length ? keys.join(', ') : (path[0] ?? '(query)');
    return { detail: issue.message, parameter };
  });

export const validationProblem = (error: ZodError, where: 'body' | 'query' | 'path'): ApiProblem => {
  const faults = faultsOf(error, where);
  const named = faults.map((f) => `${f.pointer ?? f.parameter}: ${f.detail}`).join('; ');
  return new ApiProblem(400, `Invalid request ${where === 'body' ? 'body' : where === 'query' ? 'query string' : 'path'}: ${named}`, faults);
};
