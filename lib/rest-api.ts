/**
 * The REST API (API Gateway v1) of the `http` routes: one method per route with a Lambda proxy integration, the
 * route's body schema as a model checked by API Gateway before the function runs (400 with the validation error),
 * and the `http-authorizer` route as the TOKEN authorizer of every `jwt` route. `none` routes are open on purpose,
 * each acknowledged with its route's reason.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  type JsonSchema,
  JsonSchemaVersion,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  ResponseType,
  RestApi,
  TokenAuthorizer,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BEARER_TOKEN_PATTERN } from '#functions/_common/operator-token.ts';
import { z, type ZodType } from 'zod';
import type { HttpAuthorizerRoute, HttpRoute } from '#functions/routes.ts';
import type { StageConfig } from './stage-config.ts';

export interface RestApiGatewayProps {
  readonly config: StageConfig;
  readonly routes: readonly HttpRoute[];
  /** Required when a route uses `jwt` auth (the route rules check it). */
  readonly authorizerRoute?: HttpAuthorizerRoute;
  readonly functionOf: (routeId: string) => IFunction;
}

/** The route's body schema as an API Gateway model: JSON Schema draft 4, the only draft API Gateway reads. */
const toJsonSchema = (body: ZodType): JsonSchema => {
  const { $schema: _draft, ...schema } = z.toJSONSchema(body, { target: 'draft-04', io: 'input' }) as Record<string, unknown>;
  return schema as JsonSchema;
};

export class RestApiGateway extends Construct {
  readonly api: RestApi;

  constructor(scope: Construct, id: string, props: RestApiGatewayProps) {
    super(scope, id);
    const { config } = props;
    const logs = new LogGroup(this, 'AccessLogs', { retention: config.logRetention, removalPolicy: config.removalPolicy });
    this.api = new RestApi(this, 'Api', {
      description: `Operator REST API (${config.stageName})`,
      endpointTypes: [EndpointType.REGIONAL],
      // The account-wide logging role is ApiGatewayAccountLogging's, shared with the WebSocket API.
      cloudWatchRole: false,
      deployOptions: {
        stageName: config.stageName,
        accessLogDestination: new LogGroupLogDestination(logs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        tracingEnabled: true,
        metricsEnabled: true,
        // Operators, not chargers: a low ceiling keeps a leaked token or a runaway script cheap.
        throttlingRateLimit: 50,
        throttlingBurstLimit: 100,
      },
    });
    // API Gateway's own 400 says only "Invalid request body"; say what is wrong, as the local host does.
    this.api.addGatewayResponse('BadRequestBody', {
      type: ResponseType.BAD_REQUEST_BODY,
      templates: { 'application/json': '{"message":"Invalid request body: $context.error.validationErrorString"}' },
    });
    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const authorizer =
      props.authorizerRoute &&
      new TokenAuthorizer(this, 'JwtAuthorizer', {
        handler: props.functionOf(props.authorizerRoute.id),
        identitySource: IdentitySource.header('Authorization'),
        validationRegex: BEARER_TOKEN_PATTERN,
        // The policy allows exactly the method called (roles differ per route), so it cannot be reused.
        resultsCacheTtl: Duration.seconds(0),
      });
    for (const route of props.routes) {
      const model =
        route.body &&
        this.api.addModel(`${route.id}Body`, {
          contentType: 'application/json',
          modelName: `${route.id}Body`,
          schema: { schema: JsonSchemaVersion.DRAFT4, ...toJsonSchema(route.body) },
        });
      const method = this.api.root.resourceForPath(route.path).addMethod(route.method, new LambdaIntegration(props.functionOf(route.id)), {
        ...(route.auth.type === 'jwt' && authorizer
          ? { authorizer, authorizationType: AuthorizationType.CUSTOM }
          : { authorizationType: AuthorizationType.NONE }),
        requestValidator: validator,
        // `$default` too: a body sent with another content type is checked against the same schema.
        ...(model ? { requestModels: { 'application/json': model, $default: model } } : {}),
      });
      if (route.auth.type === 'none') {
        const reason = route.auth.reason ?? `${route.method} only reads; the route table declares it public (auth: none)`;
        Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: `${route.id}: ${reason}` }, { id: 'AwsSolutions-COG4', reason: `${route.id}: ${reason}` });
      }
    }
    this.acknowledgeApiFindings();
  }

  private acknowledgeApiFindings(): void {
    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF web ACL: operator traffic is low, every writing route needs a signed token and the stage throttles ' +
          '(50 req/s, burst 100); a regional web ACL (a fixed monthly cost) is left to the account owner.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Operator tokens are checked by the http-authorizer Lambda (TOKEN authorizer, HS256), which the local runtime ' +
          'runs too; a Cognito user pool cannot be emulated without an AWS account.',
      },
    );
  }
}
