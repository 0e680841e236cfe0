import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { type DetailsRecord, DetailsRecordSchema } from './details-store.js';
import { DynamoDbStore } from './dynamodb-store.js';

/** Its own key prefix in the ledger's table: no ledger key starts with it (they start with a forge type). */
export const DETAILS_KEY_PREFIX = 'details|';

/**
 * The pages' records in the ledger's table: the same GetItem and conditional PutItem, the same TTL
 * attribute. The record travels as one JSON attribute beside `version` and `expiresAt`; it is at
 * most a few tens of KB (MAX_DETAILS_ENTRIES × MAX_DETAILS_MESSAGE), far below DynamoDB's 400 KB.
 */
export class DynamoDbDetailsStore extends DynamoDbStore<DetailsRecord> {
  constructor(tableName: string, clientConfig: DynamoDBClientConfig = {}) {
    super(
      tableName,
      {
        // The page's link expires with its record, so the record keeps its own expiry.
        toItem: ({ version: _, expiresAt, ...record }) => ({
          record: { S: JSON.stringify(record) },
          expiresAt: { N: String(expiresAt) },
        }),
        // Parsed, not cast: what the page shows must have the shape the renderer escapes.
        fromItem: (item) =>
          DetailsRecordSchema.parse({
            ...JSON.parse(item.record?.S ?? 'null'),
            version: Number(item.version?.N),
            expiresAt: Number(item.expiresAt?.N),
          }),
      },
      clientConfig,
      Date.now,
      DETAILS_KEY_PREFIX,
    );
  }
}
