/** The DynamoDB tables, one `TableV2` per definition in shared/store/tables.ts (the local runtime uses the same list). */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, type CfnGlobalTable, ProjectionType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { type TableDef, type TableName, tables } from '#shared/store/tables.ts';

export interface DataTablesProps {
  /** `RETAIN` also turns on deletion protection. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** A customer-managed key for every table. @default the AWS-owned key */
  readonly encryptionKey?: IKey;
}

// Keys are strings throughout the single-table design (ids, `TYPE#id` composites, ISO timestamps).
const key = (name: string) => ({ name, type: AttributeType.STRING });

/**
 * Customer-managed encryption on the CloudFormation resource itself: TableV2's own option needs a region-bound
 * stack (it maps a key per replica region), and this stack is region-agnostic with its one replica in the stack's region.
 */
const encryptWith = (table: TableV2, key: IKey): void => {
  const cfn = table.node.defaultChild as CfnGlobalTable;
  cfn.addPropertyOverride('SSESpecification', { SSEEnabled: true, SSEType: 'KMS' });
  cfn.addPropertyOverride('Replicas.0.SSESpecification', { KMSMasterKeyId: key.keyArn });
};

export class DataTables extends Construct {
  /** Tables by logical name (`Csms`, `MessageLog`). */
  readonly byName: Readonly<Record<TableName, TableV2>>;

  constructor(scope: Construct, id: string, props: DataTablesProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const byName: Partial<Record<TableName, TableV2>> = {};
    for (const def of tables as readonly TableDef[]) {
      // Construct id = logical name: renaming a definition replaces its table.
      byName[def.name as TableName] = new TableV2(this, def.name, {
        partitionKey: key(def.partitionKey),
        sortKey: key(def.sortKey),
        billing: Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: def.ttlAttribute,
        ...(def.stream ? { dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES } : {}),
        globalSecondaryIndexes: def.indexes.map((ix) => ({
          indexName: ix.name,
          partitionKey: key(ix.partitionKey),
          sortKey: key(ix.sortKey),
          projectionType: ix.projection === 'KEYS_ONLY' ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
        })),
        deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
        removalPolicy,
      });
    }
    if (props.encryptionKey) for (const table of Object.values(byName)) encryptWith(table, props.encryptionKey);
    // Complete: the loop visited every definition, and TableName is derived from that same list.
    this.byName = byName as Record<TableName, TableV2>;
  }
}
