import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { tellFunction } from '../../functions/config/function-environment.js';
import { PENDING_DUE_INDEX } from '../../functions/ledger/dynamodb-pending-index.js';
import type { StackFunction } from './stack-function.js';

/**
 * The delivery ledger (functions/ledger/dynamodb-ledger.ts): one item per status identity, expiring
 * by TTL. On demand, since Flux's traffic comes in bursts; kept when the stack goes, like any record.
 */
export class DeliveryLedger extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Sparse and keys only: it holds just the pending items that are due, for the sweep's query.
    this.table.addGlobalSecondaryIndex({
      indexName: PENDING_DUE_INDEX.indexName,
      partitionKey: { name: PENDING_DUE_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: PENDING_DUE_INDEX.sortKey, type: AttributeType.NUMBER },
      projectionType: ProjectionType.KEYS_ONLY,
    });
  }

  /**
   * Grants a function of the stack its calls on the table and tells it the table's name: the details
   * page reads, the webhook and the sweep read and write.
   */
  connect(fn: StackFunction): void {
    if (fn.kind === 'details') this.grantRead(fn.role);
    else this.grantUse(fn.role);
    tellFunction(fn.function, fn.kind, { ledgerTable: this.table.tableName });
  }

  /** Exactly the two calls the ledger makes, on the table alone (`table.grant` would add its indexes). */
  private grantUse(grantee: IGrantable): void {
    Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resourceArns: [this.table.tableArn],
    });
  }

  /** The details pages' one call: GetItem, nothing that writes. */
  private grantRead(grantee: IGrantable): void {
    Grant.addToPrincipal({ grantee, actions: ['dynamodb:GetItem'], resourceArns: [this.table.tableArn] });
  }

  /** The sweep's one query, on the pending index alone, never on the table. */
  grantPendingQuery(grantee: IGrantable): void {
    Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: [`${this.table.tableArn}/index/${PENDING_DUE_INDEX.indexName}`],
    });
  }
}
