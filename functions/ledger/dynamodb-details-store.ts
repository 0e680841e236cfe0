import type { AttributeValue, DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { type DetailsRecord, DetailsRecordSchema, type DetailsStore } from './details-store.js';

type Sdk = typeof import('@aws-sdk/client-dynamodb');

/** Its own key prefix in the ledger's table: no ledger key starts with it (they start with a forge type). */
export const DETAILS_KEY_PREFIX = 'details|';

/**
 * The pages' records in the ledger's table: the same GetItem and conditional PutItem, the same TTL
 * attribute. The record travels as one JSON attribute beside `version` and `expiresAt`; it is at
 * most a few tens of KB (MAX_DETAILS_ENTRIES × MAX_DETAILS_MESSAGE), far below DynamoDB's 400 KB.
 */
export class DynamoDbDetailsStore implements DetailsStore {
  #sdk: Promise<{ sdk: Sdk; client: DynamoDBClient }> | undefined;

  constructor(
    private readonly tableName: string,
    private readonly clientConfig: DynamoDBClientConfig = {},
  ) {}

  async read(id: string): Promise<DetailsRecord | undefined> {
    const { sdk, client } = await this.#load();
    const { Item } = await client.send(
      new sdk.GetItemCommand({
        TableName: this.tableName,
        Key: { id: { S: `${DETAILS_KEY_PREFIX}${id}` } },
        ConsistentRead: true,
      }),
    );
    if (Item?.record?.S === undefined) return undefined;
    // Parsed, not cast: what the page shows must have the shape the renderer escapes.
    return DetailsRecordSchema.parse({
      ...JSON.parse(Item.record.S),
      version: Number(Item.version?.N),
      expiresAt: Number(Item.expiresAt?.N),
    });
  }

  async swap(id: string, expectedVersion: number | undefined, next: DetailsRecord): Promise<boolean> {
    const { sdk, client } = await this.#load();
    const { version, expiresAt, ...record } = next;
    const item: Record<string, AttributeValue> = {
      id: { S: `${DETAILS_KEY_PREFIX}${id}` },
      record: { S: JSON.stringify(record) },
      version: { N: String(version) },
      expiresAt: { N: String(expiresAt) },
    };
    try {
      await client.send(
        new sdk.PutItemCommand({
          TableName: this.tableName,
          Item: item,
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
