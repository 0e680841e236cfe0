import type { AttributeValue, DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { type LedgerItem, LedgerItemSchema, type StatusLedger } from './status-ledger.js';

/** Items expire after this long: commits older than a month rarely get new statuses. */
export const LEDGER_TTL_SECONDS = 30 * 24 * 3600;

type Sdk = typeof import('@aws-sdk/client-dynamodb');
type Attributes = Record<string, AttributeValue>;

function toAttributes(key: string, item: LedgerItem, expiresAt: number): Attributes {
  const writers: Attributes = {};
  for (const [id, until] of Object.entries(item.writers)) writers[id] = { N: String(until) };
  return {
    id: { S: key },
    order: { S: item.claim.order },
    eventTime: { N: String(item.claim.eventTime) },
    state: { S: item.claim.status.state },
    description: { S: item.claim.status.description },
    targetUrl: { S: item.claim.status.targetUrl },
    confirmed: { BOOL: item.confirmed },
    writers: { M: writers },
    version: { N: String(item.version) },
    expiresAt: { N: String(expiresAt) },
  };
}

function fromAttributes(attributes: Attributes): LedgerItem {
  const writers: Record<string, number> = {};
  for (const [id, until] of Object.entries(attributes.writers?.M ?? {})) writers[id] = Number(until.N);
  // Parsed, not cast: an item written by an older version of this code must not pass as current.
  return LedgerItemSchema.parse({
    claim: {
      order: attributes.order?.S,
      eventTime: Number(attributes.eventTime?.N),
      status: {
        state: attributes.state?.S,
        description: attributes.description?.S,
        targetUrl: attributes.targetUrl?.S,
      },
    },
    confirmed: attributes.confirmed?.BOOL,
    writers,
    version: Number(attributes.version?.N),
  });
}

/**
 * The ledger every container shares: one item per status identity, each change a conditional
 * PutItem on the version that was read, and every read strongly consistent.
 */
export class DynamoDbLedger implements StatusLedger {
  #sdk: Promise<{ sdk: Sdk; client: DynamoDBClient }> | undefined;

  constructor(
    private readonly tableName: string,
    private readonly clientConfig: DynamoDBClientConfig = {},
    private readonly now: () => number = Date.now,
  ) {}

  async read(key: string): Promise<LedgerItem | undefined> {
    const { sdk, client } = await this.#load();
    const { Item } = await client.send(
      new sdk.GetItemCommand({ TableName: this.tableName, Key: { id: { S: key } }, ConsistentRead: true }),
    );
    if (Item === undefined || Item.version === undefined) return undefined;
    return fromAttributes(Item);
  }

  async swap(key: string, expectedVersion: number | undefined, next: LedgerItem): Promise<boolean> {
    const { sdk, client } = await this.#load();
    const expiresAt = Math.floor(this.now() / 1000) + LEDGER_TTL_SECONDS;
    try {
      await client.send(
        new sdk.PutItemCommand({
          TableName: this.tableName,
          Item: toAttributes(key, next, expiresAt),
          ...(expectedVersion === undefined
            ? // An item of the earlier, unversioned layout counts as absent: its claim is re-made.
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

  #load() {
    this.#sdk ??= import('@aws-sdk/client-dynamodb').then((sdk) => ({
      sdk,
      // Sized to fit AFTER_FORGE_RESERVE_MS (delivery/budget.ts) with the queue's hand-off.
      client: new sdk.DynamoDBClient({
        maxAttempts: 2,
        requestHandler: { requestTimeout: 500, connectionTimeout: 300 },
        ...this.clientConfig,
      }),
    }));
    return this.#sdk;
  }
}
