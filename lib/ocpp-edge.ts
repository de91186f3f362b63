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
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Construct } from 'constructs';
import { accessLogBucket } from './access-log-bucket.ts';
import type { CustomDomain } from './stage-config.ts';
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
  /** The chargers' name for the endpoint and its us-east-1 certificate; TLS below 1.2 is then refused. @default none (*.cloudfront.net) */
  readonly customDomain?: CustomDomain;
  /** ARN of a CLOUDFRONT-scope WAF web ACL to attach. @default none */
  readonly webAclArn?: string;
}

export class OcppEdge extends Construct {
  readonly distribution: Distribution;
  readonly viewerRequest: CloudFrontFunction;
  readonly pathPrefix: string;
  /** The name chargers dial: the custom domain, else the distribution's own. */
  readonly domainName: string;

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
      ...(props.customDomain
        ? {
            domainNames: [props.customDomain.domainName],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
            // Security profiles 2 and 3 require TLS 1.2 or newer; 2021 also drops the CBC ciphers.
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
    });
    this.domainName = props.customDomain?.domainName ?? this.distribution.distributionDomainName;
    this.acknowledgeEdgeFindings(props);
  }

  private acknowledgeEdgeFindings(props: OcppEdgeProps): void {
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'Chargers are deployed wherever the operator has sites; a geo allow-list would be operator policy.',
    });
    // Only where the stage allows going without (dev); prod synth fails without either (lib/stage-config.ts).
    if (!props.webAclArn) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason: 'This stage runs without a web ACL (no -c webAclArn); the $connect throttle and authorizer cap still bound a flood.',
      });
    }
    if (!props.customDomain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'This stage runs on the default *.cloudfront.net certificate (no -c domainName/certificateArn), which ' +
          'cannot set a minimum TLS version; prod cannot be synthesized that way.',
      });
    }
  }
}
