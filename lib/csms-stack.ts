/** Composes the CSMS: tables, origin secret, WebSocket gateway and the CloudFront edge, all from the route table. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type RouteDef, routes as routeTable } from '#functions/routes.ts';
import { ApiGatewayAccountLogging } from './api-gateway-account.ts';
import { DataTables } from './data-tables.ts';
import { OcppEdge } from './ocpp-edge.ts';
import { OcppGateway } from './ocpp-gateway.ts';
import { OriginVerifySecret } from './origin-verify-secret.ts';
import { tables } from '#shared/store/tables.ts';
import type { StageConfig } from './stage-config.ts';

export interface CsmsStackProps extends StackProps {
  readonly config: StageConfig;
  /** @default the route table of functions/routes.ts */
  readonly routes?: readonly RouteDef[];
  /** Directory route entries are relative to. @default <repo>/functions */
  readonly functionsDir?: string;
}

// Route kinds this app deploys so far; a route of any other kind fails synth instead of silently missing in AWS.
const HOSTED_KINDS: ReadonlySet<RouteDef['kind']> = new Set(['ws', 'ws-authorizer']);

export class CsmsStack extends Stack {
  readonly tables: DataTables;
  readonly gateway: OcppGateway;
  readonly edge: OcppEdge;

  constructor(scope: Construct, id: string, props: CsmsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const routes = props.routes ?? routeTable;
    const unhosted = routes.filter((r) => !HOSTED_KINDS.has(r.kind));
    if (unhosted.length > 0) {
      throw new Error(`CsmsStack cannot host routes ${unhosted.map((r) => `${r.id} (${r.kind})`).join(', ')} yet`);
    }

    this.tables = new DataTables(this, 'Tables', { removalPolicy: config.removalPolicy });
    const secret = new OriginVerifySecret(this, 'OriginVerify', { removalPolicy: config.removalPolicy });
    this.gateway = new OcppGateway(this, 'Gateway', {
      config,
      routes,
      tables: this.tables.byName,
      originVerifySecret: secret.reference,
      ...(props.functionsDir ? { functionsDir: props.functionsDir } : {}),
    });
    if (config.setApiGatewayAccountRole) {
      const logging = new ApiGatewayAccountLogging(this, 'ApiGatewayAccountLogging');
      this.gateway.stage.node.addDependency(logging);
    }
    this.edge = new OcppEdge(this, 'Edge', {
      api: this.gateway.api,
      stageName: config.stageName,
      pathPrefix: config.ocppPathPrefix,
      allowPlainWs: config.allowPlainWs,
      originVerifySecret: secret.reference,
      logRetentionDays: config.logRetention,
    });

    new CfnOutput(this, 'ChargerUrl', {
      description: 'OCPP-J endpoint for chargers (ws:// too where the stage allows plain WebSocket)',
      value: `wss://${this.edge.distribution.distributionDomainName}/${this.edge.pathPrefix}/{chargeBoxId}`,
    });
    new CfnOutput(this, 'ManagementEndpoint', {
      description: 'API Gateway @connections endpoint (PostToConnection)',
      value: this.gateway.stage.callbackUrl,
    });
    // The operator CLI (`npm run cli -- --aws ...`) reads the tables through these names.
    for (const def of tables) {
      new CfnOutput(this, `${def.name}TableName`, { description: `${def.envVar} for the operator CLI`, value: this.tables.byName[def.name].tableName });
    }
  }
}
