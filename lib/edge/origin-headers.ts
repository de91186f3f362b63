/**
 * What CloudFront sends to the API Gateway origin, CDK-free so the local runtime's edge stand-in imports the
 * same lists without loading aws-cdk-lib.
 */
/** Origin header carrying the shared secret; the authorizer reads it as `x-origin-verify`. */
export const ORIGIN_VERIFY_HEADER = 'X-Origin-Verify';

/**
 * Headers API Gateway needs for the upgrade and the authorizer. `Authorization` cannot be listed in an origin
 * request policy (CloudFront rejects it), so the viewer-request function copies it to X-Ocpp-Authorization.
 * CloudFront-Viewer-Address carries the charger's IP, which API Gateway would otherwise see as CloudFront's.
 */
export const FORWARDED_HEADERS = [
  'Sec-WebSocket-Key',
  'Sec-WebSocket-Version',
  'Sec-WebSocket-Protocol',
  'Sec-WebSocket-Extensions',
  'X-Ocpp-Authorization',
  'CloudFront-Viewer-Address',
  // http or https as the charger connected: the authorizer keeps plain ws:// to security profile 1 chargers.
  'CloudFront-Forwarded-Proto',
] as const;
