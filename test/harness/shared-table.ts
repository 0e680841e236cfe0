import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startDynalite } from '../fakes/dynalite.js';
import { FakeGitHub } from '../fakes/fake-github.js';

type Dynalite = Awaited<ReturnType<typeof startDynalite>>;

/**
 * What two relays ("containers") share in a describe block: one ledger table and one fleet table on
 * dynalite, reached through the real DynamoDB client, and one stateful GitHub, whose scripted faults
 * each test starts without.
 */
export function useSharedTable() {
  const shared = {} as { dynamo: Dynalite; github: FakeGitHub; table: string; fleetTable: string };

  beforeAll(async () => {
    shared.dynamo = await startDynalite();
    shared.github = await new FakeGitHub().start();
    shared.table = await shared.dynamo.createTable();
    shared.fleetTable = await shared.dynamo.createFleetTable();
  });

  afterAll(async () => {
    await shared.github.stop();
    await shared.dynamo.stop();
  });

  beforeEach(() => {
    shared.github.script.length = 0;
  });

  return shared;
}
