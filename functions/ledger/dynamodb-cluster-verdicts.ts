import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  type ClusterVerdict,
  type ClusterVerdicts,
  type ReportResult,
  reportResult,
  type StoredVerdict,
  StoredVerdictSchema,
} from './cluster-verdicts.js';
import { type Attributes, LEDGER_TTL_SECONDS, loadDynamoDb } from './dynamodb-store.js';

type Sdk = typeof import('@aws-sdk/client-dynamodb');

/** The fleet table's key: the roll-up is the partition, the cluster the sort key. */
export const FLEET_TABLE_KEY = { partitionKey: 'rollup', sortKey: 'cluster' } as const;

function toItem(rollup: string, cluster: string, verdict: StoredVerdict, expiresAt: number): Attributes {
  return {
    rollup: { S: rollup },
    cluster: { S: cluster },
    order: { S: verdict.order },
    state: { S: verdict.state },
    description: { S: verdict.description },
    eventTime: { N: String(verdict.eventTime) },
    expiresAt: { N: String(expiresAt) },
  };
}

/** Parsed, not cast: an item of another layout must not pass as a verdict. */
function fromItem(item: Attributes): StoredVerdict {
  return StoredVerdictSchema.parse({
    order: item.order?.S,
    state: item.state?.S,
    description: item.description?.S,
    eventTime: Number(item.eventTime?.N),
  });
}

/**
 * The clusters' verdicts in the fleet table: a report is one PutItem on the condition that the
 * stored order is older (its old item returned either way, to tell a change from a repeat); a
 * roll-up's clusters are one strongly consistent Query of its partition, paged past 1 MB.
 */
export class DynamoDbClusterVerdicts implements ClusterVerdicts {
  #sdk: Promise<{ sdk: Sdk; client: DynamoDBClient }> | undefined;

  constructor(
    private readonly tableName: string,
    private readonly clientConfig: DynamoDBClientConfig = {},
    private readonly now: () => number = Date.now,
  ) {}

  async report(rollup: string, cluster: string, verdict: StoredVerdict): Promise<ReportResult> {
    const { sdk, client } = await this.#load();
    const expiresAt = Math.floor(this.now() / 1000) + LEDGER_TTL_SECONDS;
    try {
      const { Attributes: old } = await client.send(
        new sdk.PutItemCommand({
          TableName: this.tableName,
          Item: toItem(rollup, cluster, verdict, expiresAt),
          ConditionExpression: 'attribute_not_exists(#order) OR #order < :order',
          ExpressionAttributeNames: { '#order': 'order' },
          ExpressionAttributeValues: { ':order': { S: verdict.order } },
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return reportResult(verdict, true, old?.order === undefined ? undefined : fromItem(old));
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const item = (error as { Item?: Attributes }).Item;
      // A store that does not return the item on a failed condition is read instead.
      const current = item === undefined ? await this.#read(rollup, cluster) : fromItem(item);
      return reportResult(verdict, false, current);
    }
  }

  async query(rollup: string): Promise<Record<string, StoredVerdict>> {
    const { sdk, client } = await this.#load();
    const verdicts: Record<string, StoredVerdict> = {};
    let start: Attributes | undefined;
    do {
      const page = await client.send(
        new sdk.QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#rollup = :rollup',
          ExpressionAttributeNames: { '#rollup': FLEET_TABLE_KEY.partitionKey },
          ExpressionAttributeValues: { ':rollup': { S: rollup } },
          ConsistentRead: true,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) {
        const cluster = item.cluster?.S;
        if (cluster !== undefined) verdicts[cluster] = fromItem(item);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return verdicts;
  }

  async #read(rollup: string, cluster: string): Promise<ClusterVerdict | undefined> {
    const { sdk, client } = await this.#load();
    const { Item } = await client.send(
      new sdk.GetItemCommand({
        TableName: this.tableName,
        Key: { rollup: { S: rollup }, cluster: { S: cluster } },
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : fromItem(Item);
  }

  #load() {
    this.#sdk ??= loadDynamoDb(this.clientConfig);
    return this.#sdk;
  }
}
