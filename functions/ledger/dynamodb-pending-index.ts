import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { type Attributes, DynamoDbStore } from './dynamodb-store.js';
import { dueAtOf, type PendingIndex, type PendingObject, PendingObjectSchema } from './pending-index.js';

/**
 * The sparse index the sweep queries: only items with something due carry `pendingDue`, so the
 * index holds exactly the pending items, keys only, and the sweep never scans the table. One
 * partition value: a query reads the due items in order; its write limit (1,000 a second) is far
 * above what Flux sends.
 */
export const PENDING_DUE_INDEX = {
  indexName: 'pending-due',
  partitionKey: 'pendingShard',
  sortKey: 'pendingDue',
} as const;
const SHARD = 'due';

function toItem(item: PendingObject, expiresAt: number): Attributes {
  const dueAt = dueAtOf(item);
  return {
    routeId: { S: item.routeId },
    object: { S: item.object },
    // One attribute: the entries are read and written whole, and parsed on every read.
    entries: { S: JSON.stringify(item.entries) },
    ...(item.verdict === undefined ? {} : { verdict: { S: JSON.stringify(item.verdict) } }),
    expiresAt: { N: String(expiresAt) },
    ...(item.firstSeenAt === undefined ? {} : { firstSeenAt: { N: String(item.firstSeenAt) } }),
    ...(item.lastSuccessAt === undefined ? {} : { lastSuccessAt: { N: String(item.lastSuccessAt) } }),
    ...(dueAt === undefined
      ? {}
      : {
          [PENDING_DUE_INDEX.partitionKey]: { S: SHARD },
          [PENDING_DUE_INDEX.sortKey]: { N: String(dueAt) },
        }),
  };
}

function fromItem(attributes: Attributes): PendingObject {
  return PendingObjectSchema.parse({
    routeId: attributes.routeId?.S,
    object: attributes.object?.S,
    entries: JSON.parse(attributes.entries?.S ?? 'null'),
    ...(attributes.verdict?.S === undefined ? {} : { verdict: JSON.parse(attributes.verdict.S) }),
    version: Number(attributes.version?.N),
    ...(attributes.firstSeenAt?.N === undefined ? {} : { firstSeenAt: Number(attributes.firstSeenAt.N) }),
    ...(attributes.lastSuccessAt?.N === undefined
      ? {}
      : { lastSuccessAt: Number(attributes.lastSuccessAt.N) }),
  });
}

/** The pending index in the ledger's table: one item per route and object, each change a conditional put. */
export class DynamoDbPendingIndex extends DynamoDbStore<PendingObject> implements PendingIndex {
  constructor(tableName: string, clientConfig: DynamoDBClientConfig = {}, now: () => number = Date.now) {
    super(tableName, { toItem, fromItem }, clientConfig, now);
  }

  async due(now: number, limit: number): Promise<string[]> {
    const { sdk, client } = await this.load();
    const keys: string[] = [];
    let start: Attributes | undefined;
    do {
      const page = await client.send(
        new sdk.QueryCommand({
          TableName: this.tableName,
          IndexName: PENDING_DUE_INDEX.indexName,
          KeyConditionExpression: '#shard = :shard AND #due <= :now',
          ExpressionAttributeNames: {
            '#shard': PENDING_DUE_INDEX.partitionKey,
            '#due': PENDING_DUE_INDEX.sortKey,
          },
          ExpressionAttributeValues: { ':shard': { S: SHARD }, ':now': { N: String(now) } },
          Limit: limit - keys.length,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) if (item.id?.S !== undefined) keys.push(item.id.S);
      start = page.LastEvaluatedKey;
    } while (start !== undefined && keys.length < limit);
    return keys;
  }
}
