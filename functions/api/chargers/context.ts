/**
 * What the charger handlers share: the password pepper (generated passwords are MACed with it), the charger API's
 * @connections (to close a live connection), and who may receive a charger's password.
 */
import type { ConnectionCloser, CredentialPorts } from '#shared/charger/registry.ts';
import { connectionCloser } from '../../_common/connections.ts';
import { ApiProblem } from '../../_common/http/handler.ts';
import { deps, env } from '../../_common/runtime.ts';
import { passwordKeys } from '../../_common/secrets.ts';
import type { Principal } from '../../_routes/http-auth.ts';

/** The domain's dependencies with the pepper, read from Secrets Manager (cached per container). */
export const credentialDeps = async (): Promise<CredentialPorts> => ({ ...deps, ...(await passwordKeys()) });

/** Set where the route declares `manageConnections` (WS_MANAGEMENT_ENDPOINT). */
export const closer: ConnectionCloser | undefined = env.WS_MANAGEMENT_ENDPOINT ? connectionCloser(env.WS_MANAGEMENT_ENDPOINT) : undefined;

const isAdmin = (p: Principal): boolean => p.kind === 'person' && p.roles.includes('admin');

/** A charger's password (chosen, or a new generated one) goes only to an admin: 403 for anyone else, saying why. */
export const requireAdminFor = (p: Principal, what: string): void => {
  if (!isAdmin(p)) throw new ApiProblem(403, `${what} needs the admin role: a charger's password is a credential only admins handle`);
};
