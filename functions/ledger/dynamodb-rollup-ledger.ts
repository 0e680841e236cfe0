import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDbStore } from './dynamodb-store.js';
import { type RollupRecord, RollupRecordSchema } from './rollup-ledger.js';

/**
 * Roll-up records in the ledger's table: the record as JSON beside its version, expiring with the
 * statuses, under keys of their own prefix (`rollup|`, in the key the delivery makes).
 */
export class DynamoDbRollupLedger extends DynamoDbStore<RollupRecord> {
  constructor(tableName: string, clientConfig: DynamoDBClientConfig = {}, now: () => number = Date.now) {
    super(
      tableName,
      {
        toItem: (record, expiresAt) => ({
          rollup: { S: JSON.stringify(record) },
          expiresAt: { N: String(expiresAt) },
        }),
        fromItem: (item) => RollupRecordSchema.parse(JSON.parse(item.rollup?.S ?? 'null')),
      },
      clientConfig,
      now,
    );
  }
}
