import type { AttributeValue, DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { Versioned, VersionedStore } from './versioned-store.js';

/** Records expire after this long: commits older than a month rarely get new statuses. */
export const LEDGER_TTL_SECONDS = 30 * 24 * 3600;

export type Attributes = Record<string, AttributeValue>;
type Sdk = typeof import('@aws-sdk/client-dynamodb');

/** How one kind of record is laid out in an item, besides its key (`id`) and `version`. */
export interface ItemLayout<T> {
  /** The attributes of `record`; `expiresAt` is the TTL the store gives it. */
  toItem(record: T, expiresAt: number): Attributes;
  /** Parsed, not cast: an item of another layout must not pass as current. */
  fromItem(item: Attributes): T;
}

/**
 * Records in the ledger's table, one item each: a GetItem (strongly consistent unless asked), and a PutItem on
 * the condition that the version is the one read. Every kind of record makes exactly these two
 * calls, under its own key prefix, so the function's grants do not grow with them.
 */
export class DynamoDbStore<T extends Versioned> implements VersionedStore<T> {
  #sdk: Promise<{ sdk: Sdk; client: DynamoDBClient }> | undefined;

  constructor(
    protected readonly tableName: string,
    private readonly layout: ItemLayout<T>,
    private readonly clientConfig: DynamoDBClientConfig = {},
    private readonly now: () => number = Date.now,
    private readonly keyPrefix = '',
  ) {}

  async read(key: string, options: { consistent?: boolean } = {}): Promise<T | undefined> {
    const { sdk, client } = await this.load();
    const { Item } = await client.send(
      new sdk.GetItemCommand({
        TableName: this.tableName,
        Key: { id: { S: `${this.keyPrefix}${key}` } },
        ConsistentRead: options.consistent ?? true,
      }),
    );
    if (Item === undefined || Item.version === undefined) return undefined;
    return this.layout.fromItem(Item);
  }

  async swap(key: string, expectedVersion: number | undefined, next: T): Promise<boolean> {
    const { sdk, client } = await this.load();
    const expiresAt = Math.floor(this.now() / 1000) + LEDGER_TTL_SECONDS;
    try {
      await client.send(
        new sdk.PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...this.layout.toItem(next, expiresAt),
            id: { S: `${this.keyPrefix}${key}` },
            version: { N: String(next.version) },
          },
          ...(expectedVersion === undefined
            ? // An item of an earlier, unversioned layout counts as absent: it is made anew.
              { ConditionExpression: 'attribute_not_exists(id) OR attribute_not_exists(version)' }
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

  protected load() {
    this.#sdk ??= loadDynamoDb(this.clientConfig);
    return this.#sdk;
  }
}

/**
 * The DynamoDB SDK, loaded on first use, and a client sized to fit AFTER_FORGE_RESERVE_MS
 * (delivery/budget.ts) with the queue's hand-off.
 */
export function loadDynamoDb(
  clientConfig: DynamoDBClientConfig,
): Promise<{ sdk: Sdk; client: DynamoDBClient }> {
  // The deployed function's stores (ledger, roll-ups, pending, history, details, fleet) share one
  // client, its connections and its credentials; a store given its own settings (tests) gets its own.
  if (Object.keys(clientConfig).length === 0) {
    sharedDynamoDb ??= createDynamoDb({});
    return sharedDynamoDb;
  }
  return createDynamoDb(clientConfig);
}

let sharedDynamoDb: Promise<{ sdk: Sdk; client: DynamoDBClient }> | undefined;

function createDynamoDb(clientConfig: DynamoDBClientConfig): Promise<{ sdk: Sdk; client: DynamoDBClient }> {
  return import('@aws-sdk/client-dynamodb').then((sdk) => ({
    sdk,
    client: new sdk.DynamoDBClient({
      maxAttempts: 2,
      requestHandler: { requestTimeout: 500, connectionTimeout: 300 },
      ...clientConfig,
    }),
  }));
}
