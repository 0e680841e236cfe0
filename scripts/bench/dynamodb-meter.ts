import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PENDING_DUE_INDEX } from '../../functions/ledger/dynamodb-pending-index.js';
import { startDynalite } from '../../test/fakes/dynalite.js';
import {
  type IndexShape,
  type Item,
  indexWriteUnits,
  itemSize,
  putUnits,
  readUnits,
} from './dynamodb-units.js';

/** What the containers asked of DynamoDB, priced by its rules. */
export interface DynamoDbCounts {
  requests: number;
  strongReads: number;
  eventualReads: number;
  queries: number;
  puts: number;
  conditionalFailures: number;
  readUnits: number;
  writeUnits: number;
  /** Of `writeUnits`, those spent on the pending sweep's index. */
  indexWriteUnits: number;
}

export const noDynamoDbCounts = (): DynamoDbCounts => ({
  requests: 0,
  strongReads: 0,
  eventualReads: 0,
  queries: 0,
  puts: 0,
  conditionalFailures: 0,
  readUnits: 0,
  writeUnits: 0,
  indexWriteUnits: 0,
});

const PENDING_INDEX: IndexShape = {
  name: PENDING_DUE_INDEX.indexName,
  keys: [PENDING_DUE_INDEX.partitionKey, PENDING_DUE_INDEX.sortKey],
  tableKeys: ['id'],
};

const readBody = (message: IncomingMessage) =>
  new Promise<Buffer>((done, fail) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => done(Buffer.concat(chunks)));
    message.on('error', fail);
  });

/**
 * dynalite behind a loopback proxy that prices every request the containers make: a GetItem by its
 * item's size and consistency, a PutItem by the larger of the item before and after (read straight
 * from dynalite, unpriced), a failed condition by the item that stood, the index's entries, and a
 * query by the entries it read. The containers' SDK clients reach it through AWS_ENDPOINT_URL_DYNAMODB.
 */
export async function startMeteredDynamoDb() {
  const dynamo = await startDynalite();
  const target = new URL(dynamo.clientConfig.endpoint);
  let counts = noDynamoDbCounts();

  async function before(input: { TableName: string; Item: Item }): Promise<Item | undefined> {
    const id = input.Item.id;
    if (id === undefined) return undefined;
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: input.TableName, Key: { id }, ConsistentRead: true }),
    );
    return Item;
  }

  function price(operation: string, input: any, output: any, status: number, previous?: Item): void {
    counts.requests++;
    if (operation === 'GetItem') {
      const consistent = input.ConsistentRead === true;
      if (consistent) counts.strongReads++;
      else counts.eventualReads++;
      counts.readUnits += readUnits(output.Item === undefined ? 0 : itemSize(output.Item), consistent);
    } else if (operation === 'PutItem') {
      counts.puts++;
      const succeeded = status === 200;
      if (!succeeded && String(output.__type ?? '').endsWith('ConditionalCheckFailedException')) {
        counts.conditionalFailures++;
      }
      counts.writeUnits += putUnits(previous, input.Item, succeeded);
      if (succeeded) {
        const index = indexWriteUnits(previous, input.Item, PENDING_INDEX);
        counts.writeUnits += index;
        counts.indexWriteUnits += index;
      }
    } else if (operation === 'Query') {
      counts.queries++;
      // An index of KEYS_ONLY: each entry read is its keys and 100 bytes; an index read is eventually consistent.
      const bytes = (output.Items ?? []).reduce((sum: number, item: Item) => sum + itemSize(item) + 100, 0);
      counts.readUnits += readUnits(bytes, input.ConsistentRead === true && input.IndexName === undefined);
    }
  }

  const server: Server = createServer(async (incoming, outgoing) => {
    try {
      const body = await readBody(incoming);
      const operation = String(incoming.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const input = JSON.parse(body.toString('utf8') || '{}');
      const previous = operation === 'PutItem' ? await before(input) : undefined;
      const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>(
        (done, fail) => {
          const forwarded = httpRequest(
            {
              hostname: target.hostname,
              port: target.port,
              path: incoming.url,
              method: incoming.method,
              headers: incoming.headers,
            },
            async (response) =>
              done({
                status: response.statusCode ?? 500,
                headers: response.headers,
                body: await readBody(response),
              }),
          );
          forwarded.on('error', fail);
          forwarded.end(body);
        },
      );
      price(operation, input, JSON.parse(answer.body.toString('utf8') || '{}'), answer.status, previous);
      outgoing.writeHead(answer.status, answer.headers);
      outgoing.end(answer.body);
    } catch (error) {
      outgoing.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      outgoing.end(JSON.stringify({ __type: 'InternalServerError', message: String(error) }));
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    createTable: () => dynamo.createTable(),
    /** The counts since the last call. */
    take(): DynamoDbCounts {
      const taken = counts;
      counts = noDynamoDbCounts();
      return taken;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
      await dynamo.stop();
    },
  };
}
