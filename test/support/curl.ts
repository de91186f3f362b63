/**
 * curl as a charger runs it (no shell): the HTTP status and the answer, parsed when it is JSON. The upload tests use
 * the real client on purpose: its PUT, POST and multipart bodies are what chargers built on libcurl send.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

// `any`: the tests read the answer field by field.
export const curl = async (...args: string[]): Promise<{ status: number; body: any }> => {
  const { stdout } = await run('curl', ['--silent', '--show-error', '--write-out', '\n%{http_code}', ...args], { maxBuffer: 1 << 20 });
  const cut = stdout.lastIndexOf('\n');
  const text = stdout.slice(0, cut);
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text.
  }
  return { status: Number(stdout.slice(cut + 1)), body };
};
