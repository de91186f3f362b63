import { redactCommand } from '#shared/command/command-view.ts';
import { passwordSetBy } from '#shared/command/password-change.ts';
import { submitCommand } from '#shared/command/commands.ts';
import { sqsCommandQueue } from '#shared/store/command-queues.ts';
import { accepted, httpHandler, unwrap } from '../../_common/http/handler.ts';
import { requireAdminFor } from '../../_common/http/require-admin.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { sendCommandRoute } from './routes.ts';

const queue = sqsCommandQueue();

/** Whether the command sets the charger's password, under either protocol's name for it (the charger's is read later). */
const setsChargerPassword = (action: string, payload: unknown): boolean =>
  passwordSetBy('ocpp1.6', action, payload) !== undefined || passwordSetBy('ocpp2.0.1', action, payload) !== undefined;

export const handler = httpHandler(sendCommandRoute, async (req) => {
  // A password an operator chose would let them connect as the charger: charger credentials are the admin's.
  if (setsChargerPassword(req.body.action, req.body.payload)) requireAdminFor(req.principal, 'Setting a charger\'s password by command');
  const requestedBy = principalName(req.principal);
  const key = req.header('idempotency-key');
  const command = unwrap(
    await submitCommand(
      { ...deps, queue },
      {
        chargerId: req.params.chargerId!,
        ...req.body,
        requestedBy,
        // Per caller and charger, as the adapter scopes the key: a retry finds the command the first attempt recorded.
        ...(key !== undefined ? { requestKey: `${requestedBy}\n${req.params.chargerId!}\n${key}` } : {}),
      },
    ),
  );
  return accepted(redactCommand(command), `/commands/${command.commandId}`);
});
