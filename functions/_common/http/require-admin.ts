/** Who may handle a charger's credentials: an admin person only (no machine scope admits admin-only work). */
import type { Principal } from '../../_routes/http-auth.ts';
import { ApiProblem } from './problem.ts';

export const isAdmin = (p: Principal): boolean => p.kind === 'person' && p.roles.includes('admin');

/** The 403 for anyone but an admin, saying why. */
export const adminOnlyProblem = (what: string): ApiProblem =>
  new ApiProblem(403, `${what} needs the admin role: a charger's password is a credential only admins handle`);

/** A charger's password (chosen, or a new generated one) goes only to an admin: 403 for anyone else, saying why. */
export const requireAdminFor = (p: Principal, what: string): void => {
  if (!isAdmin(p)) throw adminOnlyProblem(what);
};
