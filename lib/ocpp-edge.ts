/**
 * CloudFront in front of the WebSocket API. API Gateway WebSocket APIs have no path parameters and speak wss only,
 * while chargers dial `ws(s)://<host>/<prefix>/<chargeBoxId>`: the viewer-request function rewrites that to
 * `/<stage>?chargeBoxId=<id>`, and the origin secret header lets the authorizer refuse anything that bypassed us.
 */
import { Aws, Validations } from 'aws-cdk-lib';
import type { IWebSocketApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  OriginProtocolPolicy,
  OriginRequestCookieBehavior,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  OriginSslPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Construct } from 'constructs';
import { accessLogBucket } from './access-log-bucket.ts';
import { FORWARDED_HEADERS, ORIGIN_VERIFY_HEADER } from './edge/origin-headers.ts';

export { FORWARDED_HEADERS, ORIGIN_VERIFY_HEADER };
import { viewerRequestSource } from './edge/viewer-request.ts';

export interface OcppEdgeProps {
  readonly api: IWebSocketApi;
  /** The API Gateway stage requests are rewritten to. */
  readonly stageName: string;
  /** Chargers connect to `/<pathPrefix>/<chargeBoxId>`. @default 'ocpp' */
  readonly pathPrefix?: string;
  /** Also accept plain `ws://` (security profile 1); otherwise only `wss://`. @default false */
  readonly allowPlainWs?: boolean;
  /** Dynamic reference to the X-Origin-Verify value (see OriginVerifySecret). */
  readonly originVerifySecret: string;
  /** Days CloudFront access logs are kept. @default 90 */
  readonly logRetentionDays?: number;
}

export class OcppEdge extends Construct {
  readonly distribution: Distribution;
  readonly viewerRequest: CloudFrontFunction;
  readonly pathPrefix: string;

  constructor(scope: Construct, id: string, props: OcppEdgeProps) {
    super(scope, id);
    this.pathPrefix = props.pathPrefix ?? 'ocpp';
    this.viewerRequest = new CloudFrontFunction(this, 'ViewerRequest', {
      runtime: FunctionRuntime.JS_2_0,
      comment: `OCPP /${this.pathPrefix}/<id> to /${props.stageName}?chargeBoxId=<id>`,
      code: FunctionCode.fromInline(viewerRequestSource({ pathPrefix: this.pathPrefix, stageName: props.stageName })),
    });
    const originRequestPolicy = new OriginRequestPolicy(this, 'OriginRequest', {
      comment: 'OCPP WebSocket upgrade: all query strings, Sec-WebSocket-*, credentials copy, viewer address',
      queryStringBehavior: OriginRequestQueryStringBehavior.all(),
      headerBehavior: OriginRequestHeaderBehavior.allowList(...FORWARDED_HEADERS),
      cookieBehavior: OriginRequestCookieBehavior.none(),
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `OCPP-J charger endpoint (${props.stageName})`,
      defaultBehavior: {
        origin: new HttpOrigin(`${props.api.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          customHeaders: { [ORIGIN_VERIFY_HEADER]: props.originVerifySecret },
        }),
        // Chargers do not follow redirects, so plain ws:// is either served or refused, never redirected.
        viewerProtocolPolicy: props.allowPlainWs ? ViewerProtocolPolicy.ALLOW_ALL : ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy,
        compress: false,
        functionAssociations: [{ function: this.viewerRequest, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      enableLogging: true,
      logBucket: accessLogBucket(this, props.logRetentionDays ?? 90),
    });
    this.acknowledgeEdgeFindings();
  }

  private acknowledgeEdgeFindings(): void {
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Chargers are deployed wherever the operator has sites; a geo allow-list would be operator policy.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF yet: a CLOUDFRONT-scoped web ACL must live in us-east-1 and WAF cannot inspect WebSocket frames; ' +
          'the $connect authorizer (Basic auth + origin secret) gates every connection.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Chargers use the default *.cloudfront.net certificate until a custom domain with an ACM certificate is ' +
          'configured; the default certificate cannot set a minimum TLS version. Plain ws:// is an explicit stage choice.',
      },
    );
  }
}
