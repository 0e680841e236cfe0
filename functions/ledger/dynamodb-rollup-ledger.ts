import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { LEDGER_TTL_SECONDS } from './dynamodb-ledger.js';
import { type RollupLedger, type RollupRecord, RollupRecordSchema } from './rollup-ledger.js';

type Sdk = typeof import('@aws-sdk/client-dynamodb');

/**
 * Roll-up records in the ledger's table: one item each (GetItem by key, conditional PutItem on the
 * version), the record as JSON beside its version, expiring with the statuses. The same two calls
 * as the status ledger, so the function's grants do not grow.
 */
export class DynamoDbRollupLedger implements RollupLedger {
  #sdk: Promise<{ sdk: Sdk; client: DynamoDBClient }> | undefined;

  constructor(
    private readonly tableName: string,
    private readonly clientConfig: DynamoDBClientConfig = {},
    private readonly now: () => number = Date.now,
  ) {}

  async read(key: string): Promise<RollupRecord | undefined> {
    const { sdk, client } = await this.#load();
    const { Item } = await client.send(
      new sdk.GetItemCommand({ TableName: this.tableName, Key: { id: { S: key } }, ConsistentRead: true }),
    );
    const text = Item?.rollup?.S;
    if (text === undefined) return undefined;
    // Parsed, not cast: a record of another layout must not pass as current.
    return RollupRecordSchema.parse(JSON.parse(text));
  }

  async swap(key: string, expectedVersion: number | undefined, next: RollupRecord): Promise<boolean> {
    const { sdk, client } = await this.#load();
    const expiresAt = Math.floor(this.now() / 1000) + LEDGER_TTL_SECONDS;
    try {
      await client.send(
        new sdk.PutItemCommand({
          TableName: this.tableName,
          Item: {
            id: { S: key },
            rollup: { S: JSON.stringify(next) },
            version: { N: String(next.version) },
            expiresAt: { N: String(expiresAt) },
          },
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
      // As the status ledger's client: sized to fit AFTER_FORGE_RESERVE_MS (delivery/budget.ts).
      client: new sdk.DynamoDBClient({
        maxAttempts: 2,
        requestHandler: { requestTimeout: 500, connectionTimeout: 300 },
        ...this.clientConfig,
      }),
    }));
    return this.#sdk;
  }
}
