import { redactCommand } from '#shared/command/command-view.ts';
import { submitCommand } from '#shared/command/commands.ts';
import { sqsCommandQueue } from '#shared/store/command-queues.ts';
import { accepted, httpHandler, unwrap } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { sendCommandRoute } from './routes.ts';

const queue = sqsCommandQueue();

export const handler = httpHandler(sendCommandRoute, async (req) => {
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
