import { changeChargerPassword } from '#shared/command/charger-password.ts';
import { redactCommand } from '#shared/command/command-view.ts';
import { sqsCommandQueue } from '#shared/store/command-queues.ts';
import { accepted, httpHandler, ok, unwrap } from '../../_common/http/handler.ts';
import { principalName } from '../../_routes/http-auth.ts';
import { closer, credentialDeps } from './context.ts';
import { rotateChargerPasswordRoute } from './routes.ts';

const queue = sqsCommandQueue();

export const handler = httpHandler(rotateChargerPasswordRoute, async (req) => {
  const chargerId = req.params.chargerId!;
  const change = unwrap(
    await changeChargerPassword(
      { ...(await credentialDeps()), queue, ...(closer ? { closer } : {}) },
      { chargerId, requestedBy: principalName(req.principal), revoke: req.query.revoke === 'true' },
    ),
  );
  if (change.by === 'command') {
    const { command } = change;
    return accepted({ chargerId: command.chargerId, password: change.password, changedBy: 'command', command: redactCommand(command) }, `/commands/${command.commandId}`);
  }
  return ok({ chargerId, password: change.password, changedBy: 'replacement', ...(change.closedConnectionId ? { closedConnectionId: change.closedConnectionId } : {}) });
});
