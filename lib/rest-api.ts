/**
 * The REST API (API Gateway v1) of the `http` routes: one method per route with a Lambda proxy integration, the
 * operators' Cognito user pool as the authorizer of every `jwt` method with the OAuth scopes the route table derives
 * (so only access tokens pass: people's and machines' alike), the route's body schema as a model and its required
 * query parameters checked before the function runs, and API Gateway's own errors as RFC 9457 problem details, so a
 * client sees one error shape whoever refused. `none` routes are open on purpose, each acknowledged with its route's
 * reason. CORS only for the configured console origins; a regional WAF web ACL where the stage names one.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  AwsIntegration,
  CognitoUserPoolsAuthorizer,
  EndpointType,
  type JsonSchema,
  JsonSchemaVersion,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import * as z from 'zod';
import type { ZodType } from 'zod';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS } from '#functions/_routes/cors.ts';
import { GATEWAY_PROBLEMS, PROBLEM_CONTENT_TYPE, requiredQueryParameters } from '#functions/_routes/gateway-problems.ts';
import { methodScopesOf } from '#functions/_routes/http-auth.ts';
import type { HttpRoute } from '#functions/routes.ts';
import type { StageConfig } from './stage-config.ts';

export interface RestApiGatewayProps {
  readonly config: StageConfig;
  readonly routes: readonly HttpRoute[];
  /** Verifies the tokens of `jwt` routes. */
  readonly userPool: IUserPool;
  readonly functionOf: (routeId: string) => IFunction;
}

/** A zod schema as an API Gateway model: JSON Schema draft 4, the only draft API Gateway reads. */
const toJsonSchema = (schema: ZodType): JsonSchema => {
  const { $schema: _draft, ...rest } = z.toJSONSchema(schema, { target: 'draft-04', io: 'input' }) as Record<string, unknown>;
  return rest as JsonSchema;
};

export class RestApiGateway extends Construct {
  readonly api: RestApi;
  readonly authorizer: CognitoUserPoolsAuthorizer;

  constructor(scope: Construct, id: string, props: RestApiGatewayProps) {
    super(scope, id);
    const { config } = props;
    const logs = new LogGroup(this, 'AccessLogs', { retention: config.logRetention, removalPolicy: config.removalPolicy });
    const origins = config.consoleOrigins;
    this.api = new RestApi(this, 'Api', {
      description: `Operator REST API (${config.stageName})`,
      endpointTypes: [EndpointType.REGIONAL],
      // The account-wide logging role is ApiGatewayAccountLogging's, shared with the WebSocket API.
      cloudWatchRole: false,
      deployOptions: {
        stageName: config.stageName,
        accessLogDestination: new LogGroupLogDestination(logs),
        // One JSON object per request (requestId, caller, method, path, status, …).
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        tracingEnabled: true,
        metricsEnabled: true,
        // Operators, not chargers: a low ceiling keeps a leaked token or a runaway script cheap.
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
      },
      // Preflights are answered by API Gateway itself, without auth (browsers send no token on them).
      ...(origins.length > 0
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: [...origins],
              allowHeaders: [...CORS_ALLOWED_HEADERS],
              exposeHeaders: [...CORS_EXPOSED_HEADERS],
              allowMethods: [...new Set(props.routes.map((r) => r.method)), 'OPTIONS'],
              maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
            },
          }
        : {}),
    });
    this.addProblemResponses(origins);
    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    this.authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [props.userPool],
      identitySource: 'method.request.header.Authorization',
    });
    for (const route of props.routes) this.addRoute(route, validator, props.functionOf(route.id), config.stageName);
    if (config.restApiWebAclArn) {
      new CfnWebACLAssociation(this, 'WebAcl', { resourceArn: this.api.deploymentStage.stageArn, webAclArn: config.restApiWebAclArn });
    } else {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF web ACL on this stage (restApiWebAclArn unset): operator traffic is low, every route but the open reads ' +
          'needs a Cognito access token, and the stage throttles (50 req/s, burst 100); a regional web ACL (a fixed ' +
          'monthly cost) is the owner’s choice, one context value away.',
      });
    }
  }

  private addRoute(route: HttpRoute, validator: RequestValidator, fn: IFunction, stageName: string): void {
    const model =
      route.body &&
      this.api.addModel(`${route.id}Body`, {
        contentType: 'application/json',
        modelName: `${route.id}Body`,
        schema: { schema: JsonSchemaVersion.DRAFT4, ...toJsonSchema(route.body) },
      });
    const query = requiredQueryParameters(route);
    // A Lambda proxy integration, as LambdaIntegration makes it, but without the permission LambdaIntegration would
    // put beside the method (see below).
    const integration = new AwsIntegration({ proxy: true, service: 'lambda', path: `2015-03-31/functions/${fn.functionArn}/invocations` });
    const method = this.api.root.resourceForPath(route.path).addMethod(route.method, integration, {
      ...(route.auth.type === 'jwt'
        ? { authorizer: this.authorizer, authorizationType: AuthorizationType.COGNITO, authorizationScopes: methodScopesOf(route) }
        : { authorizationType: AuthorizationType.NONE }),
      requestValidator: validator,
      // `$default` too: a body sent with another content type is checked against the same schema.
      ...(model ? { requestModels: { 'application/json': model, $default: model } } : {}),
      ...(query.length > 0 ? { requestParameters: Object.fromEntries(query.map((q) => [`method.request.querystring.${q}`, true])) } : {}),
    });
    // The invoke permission sits beside the function, in the OperatorApiFunctions stack, where the parent's 500-resource
    // budget does not count it. Its source names the stage by name, not the Stage resource: the function's stack then
    // waits for the API alone, never for the stage, which waits for the methods, which wait for the function (a cycle).
    // This method of this stage only; no permission for the console's test invocation.
    fn.addPermission('RestApiInvoke', {
      principal: new ServicePrincipal('apigateway.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceArn: this.api.arnForExecuteApi(route.method, route.path.replace(/\{[^}]+\}/g, '*'), stageName),
    });
    if (route.auth.type === 'none') {
      const reason = route.auth.reason ?? `${route.method} only reads; the route table declares it public (auth: none)`;
      Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: `${route.id}: ${reason}` }, { id: 'AwsSolutions-COG4', reason: `${route.id}: ${reason}` });
    }
  }

  /**
   * One problem+json body per gateway response type. With a single console origin the browser may read these too
   * (a static Access-Control-Allow-Origin); with several, gateway responses cannot pick the caller's, so they go
   * without (the console sees a network error for these few refusals).
   */
  private addProblemResponses(origins: readonly string[]): void {
    for (const p of GATEWAY_PROBLEMS) {
      // The detail is a JSON string in the template: messageString and validationErrorString come quoted.
      const detail = p.detailTemplate ?? (p.detail ? JSON.stringify(p.detail) : '$context.error.messageString');
      const body = `{"type":"about:blank","title":"${p.title}",${p.status ? `"status":${p.status},` : ''}"detail":${detail}}`;
      this.api.addGatewayResponse(p.id, {
        type: ResponseType.of(p.refusal),
        ...(p.status ? { statusCode: String(p.status) } : {}),
        responseHeaders: {
          'Content-Type': `'${PROBLEM_CONTENT_TYPE}'`,
          ...(origins.length === 1 ? { 'Access-Control-Allow-Origin': `'${origins[0]}'`, Vary: "'Origin'" } : {}),
        },
        templates: { 'application/json': body, [PROBLEM_CONTENT_TYPE]: body },
      });
    }
  }
}
