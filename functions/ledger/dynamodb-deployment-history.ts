import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { type DeploymentHistory, DeploymentHistorySchema } from './deployment-history.js';
import { DynamoDbStore } from './dynamodb-store.js';

/** Deployment histories in the ledger's table: the record as JSON beside its version (`settled|` keys). */
export class DynamoDbDeploymentHistory extends DynamoDbStore<DeploymentHistory> {
  constructor(tableName: string, clientConfig: DynamoDBClientConfig = {}, now: () => number = Date.now) {
    super(
      tableName,
      {
        toItem: (record, expiresAt) => ({
          history: { S: JSON.stringify(record) },
          expiresAt: { N: String(expiresAt) },
        }),
        fromItem: (item) => DeploymentHistorySchema.parse(JSON.parse(item.history?.S ?? 'null')),
      },
      clientConfig,
      now,
    );
  }
}
