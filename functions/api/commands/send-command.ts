import { adminOnlyCommand } from '#shared/command/admin-commands.ts';
import { redactCommand } from '#shared/command/command-view.ts';
import { submitCommand } from '#shared/command/commands.ts';
import { sqsCommandQueue } from '#shared/store/command-queues.ts';
import { accepted, httpHandler, unwrap } from '../../_common/http/handler.ts';
import { requireAdminFor } from '../../_common/http/require-admin.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { sendCommandRoute } from './routes.ts';

const queue = sqsCommandQueue();

export const handler = httpHandler(sendCommandRoute, async (req) => {
  // Charger credentials are the admin's: a command that sets or redirects them is too (admin-commands.ts).
  const adminOnly = adminOnlyCommand(req.body.action, req.body.payload);
  if (adminOnly !== undefined) requireAdminFor(req.principal, adminOnly);
  const command = unwrap(
    await submitCommand(
      { ...deps, queue },
      {
        chargerId: req.params.chargerId!,
        ...req.body,
        requestedBy: principalName(req.principal),
        // The adapter's name of this request under its Idempotency-Key: a retry finds the command the first attempt recorded.
        ...(req.requestKey !== undefined ? { requestKey: req.requestKey } : {}),
      },
    ),
  );
  return accepted(redactCommand(command), `/commands/${command.commandId}`);
});
