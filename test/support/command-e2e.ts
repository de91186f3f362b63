/**
 * What the command e2e files share: the REST API as an operator calls it (answers read as JSON), sending a command
 * and following it to its end, and a charger connected with a strict ocpp-rpc client and booted.
 */
import type { RPCClient } from 'ocpp-rpc';
import { expect } from 'vitest';
import type { LocalRuntime } from '../../bin/local/runtime.ts';
import { ocppClient, type E2e } from './e2e.ts';

// Tests read any answer field by field.
export type Json = Record<string, any>;

export interface ApiAnswer {
  status: number;
  location: string | null;
  body: Json;
}

/** Calls the runtime's REST API with `token()` (read at each call: tests sign in after the runtime starts). */
export const operatorApi = (runtime: () => LocalRuntime, token: () => string) => {
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, as = token()): Promise<ApiAnswer> => {
    const res = await fetch(`${runtime().restUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${as}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, location: res.headers.get('location'), body: text ? (JSON.parse(text) as Json) : {} };
  };
  /** The command once it ended (or after `wait` seconds). */
  const follow = async (commandId: string, wait = 20): Promise<Json> => (await api('GET', `/commands/${commandId}?wait=${wait}`)).body;
  /** POST /chargers/{id}/commands; `extra`: the request's other fields (timeoutSeconds, whenOffline). */
  const send = (chargerId: string, action: string, payload: unknown, extra: Json = {}, headers: Record<string, string> = {}) =>
    api('POST', `/chargers/${encodeURIComponent(chargerId)}/commands`, { action, payload, ...extra }, headers);
  return {
    api,
    send,
    follow,
    /** Sends a command, expects it queued and then answered by the charger; the answered command. */
    answered: async (chargerId: string, action: string, payload: unknown): Promise<Json> => {
      const posted = await send(chargerId, action, payload);
      expect(posted.status).toBe(202);
      const done = await follow(posted.body.commandId as string);
      expect(done).toMatchObject({ status: 'answered' });
      return done;
    },
  };
};
