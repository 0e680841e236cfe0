import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { type DeliveryLedger, eventOrder, type LedgerEntry, type RecordResult } from './delivery-ledger.js';

/** Entries expire after this long: commits older than a month rarely get new statuses. */
export const LEDGER_TTL_SECONDS = 30 * 24 * 3600;

type Sdk = typeof import('@aws-sdk/client-dynamodb');

/**
 * The ledger every container shares: one item per status identity. Writes are conditional on the
 * event's timestamp, so an older event never overwrites a newer one, whatever order containers
 * deliver them in. Reads are strongly consistent, so a repeat right after a write is seen.
 */
export class DynamoDbLedger implements DeliveryLedger {
  #sdk: Promise<{ sdk: Sdk; client: DynamoDBClient }> | undefined;

  constructor(
    private readonly tableName: string,
    private readonly clientConfig: DynamoDBClientConfig = {},
    private readonly now: () => number = Date.now,
  ) {}

  async read(key: string): Promise<LedgerEntry | undefined> {
    const { sdk, client } = await this.#load();
    const { Item } = await client.send(
      new sdk.GetItemCommand({ TableName: this.tableName, Key: { id: { S: key } }, ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    return {
      state: Item.state?.S ?? '',
      description: Item.description?.S ?? '',
      targetUrl: Item.targetUrl?.S ?? '',
      eventTime: Number(Item.eventTime?.N ?? 0),
    };
  }

  async record(key: string, entry: LedgerEntry): Promise<RecordResult> {
    const { sdk, client } = await this.#load();
    try {
      await client.send(
        new sdk.PutItemCommand({
          TableName: this.tableName,
          Item: {
            id: { S: key },
            state: { S: entry.state },
            description: { S: entry.description },
            targetUrl: { S: entry.targetUrl },
            eventTime: { N: String(entry.eventTime) },
            eventOrder: { N: String(eventOrder(entry)) },
            expiresAt: { N: String(Math.floor(this.now() / 1000) + LEDGER_TTL_SECONDS) },
          },
          ConditionExpression: 'attribute_not_exists(id) OR eventOrder <= :eventOrder',
          ExpressionAttributeValues: { ':eventOrder': { N: String(eventOrder(entry)) } },
        }),
      );
      return 'recorded';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'superseded';
      throw error;
    }
  }

  #load() {
    this.#sdk ??= import('@aws-sdk/client-dynamodb').then((sdk) => ({
      sdk,
      // The ledger is an optimisation: a slow table must not eat the forge's time budget.
      client: new sdk.DynamoDBClient({
        maxAttempts: 2,
        requestHandler: { requestTimeout: 1000, connectionTimeout: 500 },
        ...this.clientConfig,
      }),
    }));
    return this.#sdk;
  }
}
