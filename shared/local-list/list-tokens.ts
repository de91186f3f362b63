/**
 * Which id tokens go on chargers' local authorization lists: an operator puts a token on one charger's list or on a
 * location's (then on the list of every charger there). These are items of their own, apart from the token: the
 * token keeps its state (blocked, expiry), which a sync turns into each entry's status (local-list-sync.ts).
 */
import * as z from 'zod';
import { failure, success, type Outcome } from '../api/outcome.ts';
import type { Ports } from '../deps.ts';
import type { Page, PageOptions } from '../store/queries.ts';

/** A token on a list, by value and type (a 1.6 list names the value only: local-list-plan.ts). */
export interface ListToken {
  idToken: string;
  idTokenType: string;
  assignedAt: string;
  /** The operator (a username or a machine client id). */
  assignedBy: string;
}

/** Whose list: a charger (under its id as registered) or a location. */
export type ListTokenHolder = { kind: 'charger'; chargerId: string } | { kind: 'location'; locationId: string };

/** A list as the operator names it: a charger by any case of its id, a location by its id. */
export interface ListOwner {
  kind: ListTokenHolder['kind'];
  id: string;
}

export const ListTokenViewSchema = z.object({
  type: z.string(),
  value: z.string(),
  assignedAt: z.string(),
  assignedBy: z.string(),
});
export type ListTokenView = z.output<typeof ListTokenViewSchema>;

export const listTokenView = (t: ListToken): ListTokenView => ({ type: t.idTokenType, value: t.idToken, assignedAt: t.assignedAt, assignedBy: t.assignedBy });

const nameOf = (owner: ListOwner) => `${owner.kind} ${owner.id}`;
const noOwner = (owner: ListOwner) => failure('not-found', `No ${nameOf(owner)}`);

/** The holder of an existing owner (a charger's id as registered), read together with an id token when one is named. */
const holderOf = async (deps: Ports, owner: ListOwner, token?: { type: string; value: string }) => {
  const { stores } = deps;
  const read = await stores.readTogether({
    charger: owner.kind === 'charger' ? stores.chargers.read(owner.id) : undefined,
    location: owner.kind === 'location' ? stores.locations.read(owner.id) : undefined,
    token: token && stores.idTokens.read(token.value, token.type),
  });
  const holder: ListTokenHolder | undefined = read.charger
    ? { kind: 'charger', chargerId: read.charger.chargerId }
    : read.location
      ? { kind: 'location', locationId: read.location.locationId }
      : undefined;
  return { holder, registered: read.token };
};

/**
 * Puts an existing id token on the owner's list (one BatchGetItem of the owner and the token, then a conditional
 * PutItem). Putting it again changes nothing: `created` is false and the first assignment is answered.
 */
export const assignListToken = async (
  deps: Ports,
  owner: ListOwner,
  token: { type: string; value: string },
  by: string,
): Promise<Outcome<{ created: boolean; token: ListTokenView }>> => {
  const { holder, registered } = await holderOf(deps, owner, token);
  if (!holder) return noOwner(owner);
  if (!registered) return failure('not-found', `No id token ${token.type} ${token.value} (create it first: POST /id-tokens)`);
  // The value as registered, whatever case the caller named it in: the list sends what the token record holds.
  const listToken: ListToken = { idToken: registered.value, idTokenType: token.type, assignedAt: deps.now().toISOString(), assignedBy: by };
  const out = await deps.stores.listTokens.assign(holder, listToken);
  return success({ created: out.created, token: listTokenView(out.token) });
};

/** Takes a token off the owner's list (a charger: GetItem of its profile first, for the id as registered). */
export const unassignListToken = async (deps: Ports, owner: ListOwner, token: { type: string; value: string }): Promise<Outcome<void>> => {
  const holder: ListTokenHolder | undefined =
    owner.kind === 'location' ? { kind: 'location', locationId: owner.id } : (await holderOf(deps, owner)).holder;
  if (!holder) return noOwner(owner);
  return (await deps.stores.listTokens.unassign(holder, token.type, token.value))
    ? success(undefined)
    : failure('not-found', `Id token ${token.type} ${token.value} is not on the list of ${nameOf(owner)}`);
};

/** A page of the tokens put on the owner's own list (a charger's leaves out its location's), by type and value. */
export const listListTokens = async (deps: Ports, owner: ListOwner, page: PageOptions): Promise<Outcome<Page<ListTokenView>>> => {
  const { holder } = await holderOf(deps, owner);
  if (!holder) return noOwner(owner);
  const found = await deps.stores.listTokens.list(holder, page);
  return success({ ...found, items: found.items.map(listTokenView) });
};
