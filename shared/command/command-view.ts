/** A command as the API shows it: passwords in its payload and result masked, like the message log's frames. */
import { redactPayload } from '../log/redact.ts';
import type { Command } from './command.ts';

export const redactCommand = ({ nextPasswordHash: _hash, sendPayload: _secret, ...command }: Command): Command => ({
  ...command,
  payload: redactPayload(command.payload),
  ...(command.result !== undefined ? { result: redactPayload(command.result) } : {}),
});
