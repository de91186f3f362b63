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
  return {
    api,
    /** POST /chargers/{id}/commands; `extra`: the request's other fields (timeoutSeconds, whenOffline). */
    send: (chargerId: string, action: string, payload: unknown, extra: Json = {}, headers: Record<string, string> = {}) =>
      api('POST', `/chargers/${encodeURIComponent(chargerId)}/commands`, { action, payload, ...extra }, headers),
    /** The command once it ended (or after `wait` seconds). */
    follow: async (commandId: string, wait = 20): Promise<Json> => (await api('GET', `/commands/${commandId}?wait=${wait}`)).body,
  };
};

export const BOOT: Readonly<Record<'ocpp1.6' | 'ocpp2.0.1', Json>> = {
  'ocpp1.6': { chargePointVendor: 'Acme', chargePointModel: 'One' },
  'ocpp2.0.1': { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Two' } },
};

/** Registers a charger, connects it with a strict client (kept in `clients` to close) and boots it. */
export const bootedCharger = async (e: E2e, clients: RPCClient[], chargerId: string, protocol: 'ocpp1.6' | 'ocpp2.0.1'): Promise<RPCClient> => {
  const password = await e.register({ chargerId });
  const client = await ocppClient({ endpoint: e.runtime.wsUrl, identity: chargerId, password, protocols: [protocol] });
  clients.push(client);
  expect(await client.call('BootNotification', BOOT[protocol])).toMatchObject({ status: 'Accepted' });
  return client;
};
