import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { type Attributes, DynamoDbStore } from './dynamodb-store.js';
import { type LedgerItem, LedgerItemSchema } from './status-ledger.js';

function toItem(item: LedgerItem, expiresAt: number): Attributes {
  const writers: Attributes = {};
  for (const [id, until] of Object.entries(item.writers)) writers[id] = { N: String(until) };
  return {
    order: { S: item.claim.order },
    eventTime: { N: String(item.claim.eventTime) },
    state: { S: item.claim.status.state },
    description: { S: item.claim.status.description },
    targetUrl: { S: item.claim.status.targetUrl },
    ...(item.claim.resolved ? { resolved: { BOOL: true } } : {}),
    confirmed: { BOOL: item.confirmed },
    writers: { M: writers },
    expiresAt: { N: String(expiresAt) },
  };
}

function fromItem(attributes: Attributes): LedgerItem {
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
      ...(attributes.resolved?.BOOL === true ? { resolved: true } : {}),
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
export class DynamoDbLedger extends DynamoDbStore<LedgerItem> {
  constructor(tableName: string, clientConfig: DynamoDBClientConfig = {}, now: () => number = Date.now) {
    super(tableName, { toItem, fromItem }, clientConfig, now);
  }
}
