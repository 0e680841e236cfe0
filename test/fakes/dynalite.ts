import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { FLEET_TABLE_KEY } from '../../functions/ledger/dynamodb-cluster-verdicts.js';
import { PENDING_DUE_INDEX } from '../../functions/ledger/dynamodb-pending-index.js';
import { awsClientConfig } from './fake-secrets-manager.js';

/** DynamoDB on 127.0.0.1 (dynalite, in this process), reached through the real AWS SDK client. */
export async function startDynalite() {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const clientConfig = awsClientConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const client = new DynamoDBClient(clientConfig);
  let tables = 0;
  return {
    clientConfig,
    client,
    /** A fresh table shaped like the stack's ledger table. */
    async createTable(): Promise<string> {
      const name = `ledger-${++tables}`;
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [
            { AttributeName: 'id', AttributeType: 'S' },
            { AttributeName: PENDING_DUE_INDEX.partitionKey, AttributeType: 'S' },
            { AttributeName: PENDING_DUE_INDEX.sortKey, AttributeType: 'N' },
          ],
          // The pending sweep's sparse index (functions/ledger/dynamodb-pending-index.ts).
          GlobalSecondaryIndexes: [
            {
              IndexName: PENDING_DUE_INDEX.indexName,
              KeySchema: [
                { AttributeName: PENDING_DUE_INDEX.partitionKey, KeyType: 'HASH' },
                { AttributeName: PENDING_DUE_INDEX.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'KEYS_ONLY' },
            },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      return name;
    },
    /** A fresh table shaped like the stack's fleet table: the roll-up its partition, the cluster its sort key. */
    async createFleetTable(): Promise<string> {
      const name = `fleet-${++tables}`;
      const { partitionKey, sortKey } = FLEET_TABLE_KEY;
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [
            { AttributeName: partitionKey, KeyType: 'HASH' },
            { AttributeName: sortKey, KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: partitionKey, AttributeType: 'S' },
            { AttributeName: sortKey, AttributeType: 'S' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      return name;
    },
    async stop() {
      client.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}
