// CloudFront viewer-request function (runtime cloudfront-js-2.0), deployed as-is after lib/edge/viewer-request.ts
// substitutes the two placeholders below. API Gateway WebSocket APIs take no path parameters, so the OCPP-J URL
// /<prefix>/<chargeBoxId> becomes /<stage>?chargeBoxId=<id>. Kept to plain ES5 so it runs on every CloudFront
// Functions runtime and in node:vm unchanged; no require/import exist there.

var PATH_PREFIX = '__OCPP_PATH_PREFIX__';
var STAGE_NAME = '__API_STAGE_NAME__';

// OCPP 1.6 / 2.0.1: identifierString is case-insensitive, at most 48 characters of a-z A-Z 0-9 * - _ = : + | @ .
var MAX_ID_LENGTH = 48;
var IDENTIFIER_CHARS = /^[A-Za-z0-9*\-_=:+|@.]+$/;

function reject(statusCode, statusDescription, reason) {
  return {
    statusCode: statusCode,
    statusDescription: statusDescription,
    headers: {
      'content-type': { value: 'text/plain; charset=utf-8' },
      'cache-control': { value: 'no-store' },
    },
    body: { encoding: 'text', data: reason + '\n' },
  };
}

// Decodes once; a malformed escape (e.g. %ZZ) yields null.
function decodeOnce(raw) {
  try {
    return decodeURIComponent(raw);
  } catch (e) {
    return null;
  }
}

// The id from /<prefix>/<id>, or from ?chargeBoxId= on /<prefix> or /<prefix>/. Undefined: not a charger URL.
function rawChargeBoxId(request) {
  var base = '/' + PATH_PREFIX;
  var uri = request.uri;
  if (uri === base || uri === base + '/') {
    var q = request.querystring.chargeBoxId;
    if (!q) return '';
    // Two chargeBoxId parameters would let the edge and the authorizer disagree about who connects.
    return q.multiValue && q.multiValue.length > 1 ? null : q.value;
  }
  if (uri.indexOf(base + '/') === 0) return uri.substring(base.length + 1);
  return undefined;
}

function idProblem(id) {
  if (id === null) return 'chargeBoxId is not a valid percent-encoded identifier';
  if (id.length === 0) return 'chargeBoxId is missing';
  if (id.length > MAX_ID_LENGTH) return 'chargeBoxId is longer than ' + MAX_ID_LENGTH + ' characters';
  if (!IDENTIFIER_CHARS.test(id)) return 'chargeBoxId contains characters outside the OCPP identifierString set';
  return '';
}

function handler(event) {
  var request = event.request;
  var raw = rawChargeBoxId(request);
  if (raw === undefined) return reject(404, 'Not Found', 'Connect to /' + PATH_PREFIX + '/<chargeBoxId>');
  var id = raw === null ? null : decodeOnce(raw);
  var problem = idProblem(id);
  if (problem) return reject(400, 'Bad Request', problem);

  request.uri = '/' + STAGE_NAME;
  // Only the id goes on: the authorizer must not see parameters the charger (or anyone) added.
  request.querystring = { chargeBoxId: { value: encodeURIComponent(id) } };

  // CloudFront cannot forward Authorization with caching disabled; the authorizer reads this copy instead.
  // A viewer-supplied copy is dropped so the header always mirrors Authorization.
  delete request.headers['x-ocpp-authorization'];
  var authorization = request.headers.authorization;
  if (authorization) request.headers['x-ocpp-authorization'] = { value: authorization.value };
  return request;
}
