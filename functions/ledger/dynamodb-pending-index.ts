import type { AttributeValue, DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { LEDGER_TTL_SECONDS } from './dynamodb-ledger.js';
import { dueAtOf, type PendingIndex, type PendingObject, PendingObjectSchema } from './pending-index.js';

type Sdk = typeof import('@aws-sdk/client-dynamodb');
type Attributes = Record<string, AttributeValue>;

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

function toAttributes(key: string, item: PendingObject, expiresAt: number): Attributes {
  const dueAt = dueAtOf(item);
  return {
    id: { S: key },
    routeId: { S: item.routeId },
    object: { S: item.object },
    // One attribute: the entries are read and written whole, and parsed on every read.
    entries: { S: JSON.stringify(item.entries) },
    version: { N: String(item.version) },
    expiresAt: { N: String(expiresAt) },
    ...(dueAt === undefined
      ? {}
      : {
          [PENDING_DUE_INDEX.partitionKey]: { S: SHARD },
          [PENDING_DUE_INDEX.sortKey]: { N: String(dueAt) },
        }),
  };
}

function fromAttributes(attributes: Attributes): PendingObject {
  return PendingObjectSchema.parse({
    routeId: attributes.routeId?.S,
    object: attributes.object?.S,
    entries: JSON.parse(attributes.entries?.S ?? 'null'),
    version: Number(attributes.version?.N),
  });
}

/** The pending index in the ledger's table: one item per route and object, each change a conditional put. */
export class DynamoDbPendingIndex implements PendingIndex {
  #sdk: Promise<{ sdk: Sdk; client: DynamoDBClient }> | undefined;

  constructor(
    private readonly tableName: string,
    private readonly clientConfig: DynamoDBClientConfig = {},
    private readonly now: () => number = Date.now,
  ) {}

  async read(key: string): Promise<PendingObject | undefined> {
    const { sdk, client } = await this.#load();
    const { Item } = await client.send(
      new sdk.GetItemCommand({ TableName: this.tableName, Key: { id: { S: key } }, ConsistentRead: true }),
    );
    return Item === undefined ? undefined : fromAttributes(Item);
  }

  async swap(key: string, expectedVersion: number | undefined, next: PendingObject): Promise<boolean> {
    const { sdk, client } = await this.#load();
    const expiresAt = Math.floor(this.now() / 1000) + LEDGER_TTL_SECONDS;
    try {
      await client.send(
        new sdk.PutItemCommand({
          TableName: this.tableName,
          Item: toAttributes(key, next, expiresAt),
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(id)' }
            : {
                ConditionExpression: 'version = :version',
                ExpressionAttributeValues: { ':version': { N: String(expectedVersion) } },
              }),
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async due(now: number, limit: number): Promise<string[]> {
    const { sdk, client } = await this.#load();
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

  #load() {
    this.#sdk ??= import('@aws-sdk/client-dynamodb').then((sdk) => ({
      sdk,
      client: new sdk.DynamoDBClient({
        maxAttempts: 2,
        requestHandler: { requestTimeout: 500, connectionTimeout: 300 },
        ...this.clientConfig,
      }),
    }));
    return this.#sdk;
  }
}
