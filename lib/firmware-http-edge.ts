/**
 * Plain-HTTP firmware downloads through CloudFront, for chargers that cannot do HTTPS (issue 12). Function URLs speak
 * HTTPS only, so this distribution takes `http://<domain>/firmware/<token>/<name>` and passes it on to the file
 * endpoint (the uploads function URL) over HTTPS. The endpoint checks the token as for any download and redirects to
 * a CloudFront signed URL of the image on this same domain; the second behaviour serves the image from the files
 * bucket only with a valid signature (the key group), and the distribution may read nothing but `firmware/*`.
 */
import { Annotations, Aws, Fn, Validations } from 'aws-cdk-lib';
import {
  AccessLevel,
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  KeyGroup,
  OriginProtocolPolicy,
  OriginRequestCookieBehavior,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  OriginSslPolicy,
  PublicKey,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { FIRMWARE_HTTP_HOST_HEADER, FIRMWARE_IMAGE_PATH_PATTERN } from '#shared/file/firmware-http.ts';
import { FIRMWARE_PREFIX } from '#shared/file/object-keys.ts';
import { accessLogBucket } from './access-log-bucket.ts';
import { firmwareHttpViewerRequestSource } from './edge/firmware-http-viewer-request.ts';

export interface FirmwareHttpEdgeProps {
  /** The file endpoint (the uploads function URL) download requests go on to. */
  readonly fileEndpoint: FunctionUrl;
  /** The bucket firmware images are kept in, under `firmware/`. */
  readonly filesBucket: IBucket;
  /** PEM (`BEGIN PUBLIC KEY`) of the key pair the file endpoint signs image URLs with; checked by the stage config. */
  readonly publicKeyPem: string;
  /** Named in comments, to tell the stages' distributions apart. */
  readonly stageName: string;
  /** Days CloudFront access logs are kept. @default 90 */
  readonly logRetentionDays?: number;
  /** ARN of a CLOUDFRONT-scope WAF web ACL to attach. @default none */
  readonly webAclArn?: string;
}

export class FirmwareHttpEdge extends Construct {
  readonly distribution: Distribution;
  readonly publicKey: PublicKey;
  readonly keyGroup: KeyGroup;
  readonly viewerRequest: CloudFrontFunction;
  /** `http://<distribution domain>`, without a trailing slash: FIRMWARE_HTTP_URL. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: FirmwareHttpEdgeProps) {
    super(scope, id);
    this.publicKey = new PublicKey(this, 'PublicKey', {
      encodedKey: props.publicKeyPem,
      comment: `Verifies plain-HTTP firmware image URLs (${props.stageName})`,
    });
    this.keyGroup = new KeyGroup(this, 'KeyGroup', {
      items: [this.publicKey],
      comment: `Signers of plain-HTTP firmware image URLs (${props.stageName})`,
    });
    this.viewerRequest = new CloudFrontFunction(this, 'ViewerRequest', {
      runtime: FunctionRuntime.JS_2_0,
      comment: `Only /firmware/; the viewer's Host as ${FIRMWARE_HTTP_HOST_HEADER}`,
      code: FunctionCode.fromInline(firmwareHttpViewerRequestSource()),
    });
    // No Host: a function URL answers only to its own name, which CloudFront then sends. The function's copy of the
    // viewer's Host is the one header the endpoint needs; tokens are in the path, so no query strings or cookies.
    const originRequestPolicy = new OriginRequestPolicy(this, 'OriginRequest', {
      comment: `Plain-HTTP firmware downloads: ${FIRMWARE_HTTP_HOST_HEADER} only`,
      headerBehavior: OriginRequestHeaderBehavior.allowList(FIRMWARE_HTTP_HOST_HEADER),
      queryStringBehavior: OriginRequestQueryStringBehavior.none(),
      cookieBehavior: OriginRequestCookieBehavior.none(),
    });
    // CDK's OAC origin would grant the distribution `bucket/*`; on an imported view of the bucket it grants nothing,
    // and the narrower statement below is added to the real bucket instead.
    const imagesView = Bucket.fromBucketAttributes(this, 'FilesBucketView', {
      bucketArn: props.filesBucket.bucketArn,
      bucketName: props.filesBucket.bucketName,
      bucketRegionalDomainName: props.filesBucket.bucketRegionalDomainName,
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Plain-HTTP firmware downloads (${props.stageName})`,
      defaultBehavior: {
        origin: new HttpOrigin(Fn.select(2, Fn.split('/', props.fileEndpoint.url)), {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [OriginSslPolicy.TLS_V1_2],
        }),
        // The point of this distribution: chargers that cannot do HTTPS. A download token is good for one image only.
        viewerProtocolPolicy: ViewerProtocolPolicy.ALLOW_ALL,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        // Every download is the endpoint's decision (token live, image still there): never answered from a cache.
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy,
        compress: false,
        functionAssociations: [{ function: this.viewerRequest, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        [FIRMWARE_IMAGE_PATH_PATTERN]: {
          origin: S3BucketOrigin.withOriginAccessControl(imagesView, { originAccessLevels: [AccessLevel.READ] }),
          viewerProtocolPolicy: ViewerProtocolPolicy.ALLOW_ALL,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          // CloudFront checks the signature before the cache; the key has no query string, so each image is cached once.
          // Uncompressed: a charger must get the image's bytes as they were uploaded, whatever it sends as Accept-Encoding.
          cachePolicy: CachePolicy.CACHING_OPTIMIZED_FOR_UNCOMPRESSED_OBJECTS,
          compress: false,
          trustedKeyGroups: [this.keyGroup],
        },
      },
      enableLogging: true,
      logBucket: accessLogBucket(this, props.logRetentionDays ?? 90),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
    });
    this.url = `http://${this.distribution.distributionDomainName}`;
    this.grantImageReads(props.filesBucket);
    this.acknowledgeFindings(props);
  }

  /** s3:GetObject on `firmware/*` for this distribution alone, and kms:Decrypt where the bucket has its own key. */
  private grantImageReads(bucket: IBucket): void {
    const cloudFront = new ServicePrincipal('cloudfront.amazonaws.com');
    bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'FirmwareHttpDistributionReadsImages',
        principals: [cloudFront],
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${FIRMWARE_PREFIX}*`)],
        conditions: { StringEquals: { 'AWS:SourceArn': this.distribution.distributionArn } },
      }),
    );
    // The key policy cannot name the distribution: distribution → bucket → key would then be a cycle. As CDK's own OAC
    // grant does, it names every distribution of this account; S3 only decrypts for one the bucket policy lets read.
    bucket.encryptionKey?.addToResourcePolicy(
      new PolicyStatement({
        sid: 'FirmwareHttpDistributionDecryptsImages',
        principals: [cloudFront],
        actions: ['kms:Decrypt'],
        resources: ['*'], // in a key policy, `*` is this key
        conditions: { ArnLike: { 'AWS:SourceArn': `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/*` } },
      }),
    );
  }

  private acknowledgeFindings(props: FirmwareHttpEdgeProps): void {
    Annotations.of(this.distribution).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      'The origin is an imported view on purpose: FirmwareHttpEdge grants this distribution firmware/* on the real bucket itself.',
    );
    const acknowledge = (findingId: string, reason: string) => Validations.of(this.distribution).acknowledge({ id: findingId, reason });
    acknowledge('AwsSolutions-CFR1', 'Chargers are deployed wherever the operator has sites; a geo allow-list would be operator policy.');
    if (!props.webAclArn) {
      acknowledge('AwsSolutions-CFR2', 'This stage runs without a web ACL (no -c webAclArn); each download needs a live token, each image a signed URL.');
    }
    acknowledge(
      'AwsSolutions-CFR4',
      'Plain HTTP is the purpose of this distribution (chargers that cannot do HTTPS), on the default *.cloudfront.net ' +
        'certificate. Nothing is served without a live download token (default behaviour) or a CloudFront-signed URL (images).',
    );
  }
}
