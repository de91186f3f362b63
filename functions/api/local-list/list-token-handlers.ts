/** The token routes of a charger's and a location's local list share their handlers; the owner's kind tells them apart. */
import { assignListToken, listListTokens, unassignListToken, type ListOwner } from '#shared/local-list/list-tokens.ts';
import { created, httpHandler, noContent, ok, pageOf, unwrap, type ApiRequest } from '../../_common/http/handler.ts';
import { deps } from '../../_common/runtime.ts';
import { principalName } from '../../_routes/http-auth.ts';
import type { HttpRoute } from '../../routes.ts';

type Kind = ListOwner['kind'];

const ownerOf = (kind: Kind, req: ApiRequest): ListOwner => ({ kind, id: (kind === 'charger' ? req.params.chargerId : req.params.locationId)! });
const tokenOf = (req: ApiRequest) => ({ type: req.params.type!, value: req.params.value! });

export const listTokensHandler = (route: HttpRoute, kind: Kind) =>
  httpHandler(route, async (req) => pageOf(unwrap(await listListTokens(deps, ownerOf(kind, req), req.page))));

export const putTokenHandler = (route: HttpRoute, kind: Kind) =>
  httpHandler(route, async (req) => {
    const owner = ownerOf(kind, req);
    const token = tokenOf(req);
    const out = unwrap(await assignListToken(deps, owner, token, principalName(req.principal!)));
    const where = `/${kind === 'charger' ? 'chargers' : 'locations'}/${encodeURIComponent(owner.id)}/local-list/tokens/${encodeURIComponent(token.type)}/${encodeURIComponent(token.value)}`;
    return out.created ? created(out.token, where) : ok(out.token);
  });

export const deleteTokenHandler = (route: HttpRoute, kind: Kind) =>
  httpHandler(route, async (req) => {
    unwrap(await unassignListToken(deps, ownerOf(kind, req), tokenOf(req)));
    return noContent();
  });
