/**
 * What the charger handlers share: the password pepper (generated passwords are MACed with it), the charger API's
 * @connections (to close a live connection), and who may receive a charger's password (require-admin.ts).
 */
import type { ConnectionCloser, CredentialPorts } from '#shared/charger/registry.ts';
import { connectionCloser } from '../../_common/connections.ts';
import { deps, env } from '../../_common/runtime.ts';
import { passwordKeys } from '../../_common/secrets.ts';

/** The domain's dependencies with the pepper, read from Secrets Manager (cached per container). */
export const credentialDeps = async (): Promise<CredentialPorts> => ({ ...deps, ...(await passwordKeys()) });

/** Set where the route declares `manageConnections` (WS_MANAGEMENT_ENDPOINT). */
export const closer: ConnectionCloser | undefined = env.WS_MANAGEMENT_ENDPOINT ? connectionCloser(env.WS_MANAGEMENT_ENDPOINT) : undefined;

export { requireAdminFor } from '../../_common/http/require-admin.ts';
