import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CreateForgeClient } from '../../functions/delivery/forge-clients.js';
import { createForgeClient } from '../../functions/forges/registry.js';
import { DynamoDbLedger } from '../../functions/ledger/dynamodb-ledger.js';
import { DynamoDbPendingIndex } from '../../functions/ledger/dynamodb-pending-index.js';
import type { PendingIndex } from '../../functions/ledger/pending-index.js';
import { type LedgerItem, ledgerKey, type StatusLedger } from '../../functions/ledger/status-ledger.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { testRoute, type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';
import { useSharedTable } from '../harness/shared-table.js';

/**
 * The resolutions against real events in every interleaving: two containers share the ledger and
 * the pending index on dynalite (the real DynamoDB client), and fast-check's scheduler orders each
 * ledger call, index call and forge write of a verdict's delivery and of the sweep or the
 * superseding verdict. Real octokit writes to a stateful GitHub on loopback.
 */

let shaCounter = 0;
const nextSha = () => (++shaCounter).toString(16).padStart(40, 'e');
/**
 * Each run's own Flux object: runs come within the same seconds, and an object's newest verdict
 * supersedes every older pending of another commit, a previous run's included.
 */
let objectCounter = 0;
let object = 'apps';
const nextObject = () => {
  object = `apps-${++objectCounter}`;
};
const event = (sha: string, verdict: Verdict, time: number) =>
  verdictEvent(sha, verdict, time, { name: object });

describe('pending resolutions in every interleaving with real events', () => {
  const shared = useSharedTable();

  /** The status identity's ledger key, as status-delivery.ts forms it. */
  const identity = (sha: string) =>
    ledgerKey([
      'github',
      shared.github.url,
      'https://github.com/acme/fleet-infra',
      sha,
      `kustomization/${object}/prod-eu-1`,
      '',
    ]);
  const shown = (sha: string) => shared.github.statusesOf('acme/fleet-infra', sha)[0];

  /** Each identity's claims in the order the ledger took them. */
  const history = new Map<string, Array<LedgerItem['claim']>>();
  const isResolution = (claim: LedgerItem['claim']) =>
    claim.status.state === 'error' || claim.status.description.startsWith('superseded by');
  /** Once a real verdict held the claim, no resolution ever took it over. */
  function expectNoResolutionOverVerdict(key: string) {
    const claims = history.get(key) ?? [];
    const firstVerdict = claims.findIndex(
      (claim) => claim.status.state !== 'pending' && !isResolution(claim),
    );
    if (firstVerdict >= 0) expect(claims.slice(firstVerdict).filter(isResolution)).toEqual([]);
  }

  /** Two containers over the shared table, each call of theirs a step that `s` orders. */
  function containers(s: fc.Scheduler, clock: { now: number }) {
    const sharedLedger = new DynamoDbLedger(shared.table, shared.dynamo.clientConfig);
    const sharedIndex = new DynamoDbPendingIndex(shared.table, shared.dynamo.clientConfig);
    const ledger: StatusLedger = {
      read: s.scheduleFunction((key: string) => sharedLedger.read(key)),
      swap: s.scheduleFunction(async (key: string, version: number | undefined, next: LedgerItem) => {
        const swapped = await sharedLedger.swap(key, version, next);
        const claims = history.get(key) ?? [];
        if (swapped && claims.at(-1)?.order !== next.claim.order) claims.push(next.claim);
        history.set(key, claims);
        return swapped;
      }),
    };
    const pending: PendingIndex = {
      read: s.scheduleFunction((key: string) => sharedIndex.read(key)),
      swap: s.scheduleFunction((key: string, version: number | undefined, next) =>
        sharedIndex.swap(key, version, next),
      ),
      due: s.scheduleFunction((now: number, limit: number) => sharedIndex.due(now, limit)),
    };
    const createClient: CreateForgeClient = async (provider, credentials) => {
      const client = await createForgeClient(provider, credentials);
      return {
        write: async (status, options) => {
          await s.schedule(Promise.resolve(), `write ${status.state} goes out`);
          const result = await client.write(status, options);
          await s.schedule(Promise.resolve(), `write ${status.state} answered`);
          return result;
        },
      };
    };
    return [0, 1].map(() => {
      const harness = testRelay([testRoute(shared.github.url)], {
        ledger,
        pending,
        createClient,
        now: () => clock.now,
      });
      const handler = createApiGatewayHandler(harness.relay);
      return {
        ledger: sharedLedger,
        sweep: harness.sweep,
        send: async (body: string) => JSON.parse((await handler(apiEvent({ body }))).body),
      };
    });
  }

  it('the sweep never overwrites a verdict of the pending’s second or later; such a verdict replaces its error', async () => {
    const plan = fc.record({
      verdict: fc.constantFrom<Verdict>('success', 'failure'),
      // The verdict's time against the pending's: one second before (older: the error stands), same, later.
      offset: fc.constantFrom(-1, 0, 1, 60),
    });
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), plan, async (s, { verdict, offset }) => {
        // Prepare: a pending is recorded; the clock moves past the route's 30 minutes.
        const sha = nextSha();
        nextObject();
        const since = Math.floor(Date.now() / 1000) * 1000;
        const clock = { now: since + 10_000 };
        const [a, b] = containers(s, clock);
        await s.waitFor(a?.send(event(sha, 'pending', since)) as Promise<unknown>);
        clock.now = since + 31 * 60_000;

        // Act: the verdict comes in while the sweep runs, in the order the scheduler picks.
        const [answer, swept] = await s.waitFor(
          Promise.all([b?.send(event(sha, verdict, since + offset * 1000)), a?.sweep()]),
        );

        // Assess
        expect(answer.error).toBeUndefined();
        expect(swept?.failed).toBe(0);
        const expected = offset >= 0 ? verdict : 'error';
        expectNoResolutionOverVerdict(identity(sha));
        expect(shown(sha)?.state).toBe(expected);
        const item = await a?.ledger.read(identity(sha));
        expect(item?.claim.status.state).toBe(expected);
        if (expected === 'error') {
          expect(shown(sha)?.description).toBe(
            "no verdict from prod-eu-1 within 30m; see the cluster's kustomize-controller",
          );
        }
      }),
      { numRuns: 40 },
    );
  });

  it('"superseded" never replaces a commit’s own verdict, in whatever order the two arrive', async () => {
    const plan = fc.record({
      own: fc.constantFrom<Verdict>('success', 'failure'),
      // The older commit's own verdict, before or after the newer commit's success (at second 30).
      ownSecond: fc.constantFrom(20, 40),
      // The own verdict delivered whole before the newer commit's comes in, or at the same time.
      ownFirst: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), plan, async (s, { own, ownSecond, ownFirst }) => {
        // Prepare: X is pending; then Y's success and X's own verdict come in concurrently.
        const [x, y] = [nextSha(), nextSha()];
        nextObject();
        const t0 = Math.floor(Date.now() / 1000) * 1000;
        const clock = { now: t0 + 60_000 };
        const [a, b] = containers(s, clock);
        await s.waitFor(a?.send(event(x, 'pending', t0)) as Promise<unknown>);

        // Act
        const ownVerdict = () => a?.send(event(x, own, t0 + ownSecond * 1000));
        if (ownFirst) await s.waitFor(ownVerdict() as Promise<unknown>);
        await s.waitFor(
          Promise.all([b?.send(event(y, 'success', t0 + 30_000)), ownFirst ? undefined : ownVerdict()]),
        );

        // Assess: the forge shows the ledger's claim, and it is the commit's own verdict, whichever
        // arrived first: "superseded" stands only for the verdict that never came.
        const item = await a?.ledger.read(identity(x));
        expectNoResolutionOverVerdict(identity(x));
        expect(shown(x)?.state).toBe(item?.claim.status.state);
        expect(shown(x)?.state).toBe(own);
        expect(shown(x)?.description).not.toMatch(/^superseded by/);
      }),
      { numRuns: 40 },
    );
  });
  it('a pending older than the verdict that superseded it is superseded too, in any arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        // Prepare: commits 1, 2, 3 go Progressing at seconds 0, 1, 2; 3 succeeds at 30; a retry of
        // 1's Progressing, stamped second 1, comes too. All five arrive at once, in any order.
        const [c1, c2, c3] = [nextSha(), nextSha(), nextSha()] as [string, string, string];
        nextObject();
        const t0 = Math.floor(Date.now() / 1000) * 1000;
        const clock = { now: t0 + 60_000 };
        const [a, b] = containers(s, clock);
        const events = [
          event(c1, 'pending', t0),
          event(c2, 'pending', t0 + 1000),
          event(c3, 'pending', t0 + 2000),
          event(c3, 'success', t0 + 30_000),
          event(c1, 'pending', t0 + 1000),
        ];

        // Act: then the sweep, long after the route's 30 minutes.
        const answers = await s.waitFor(
          Promise.all(events.map((body, n) => (n % 2 === 0 ? a : b)?.send(body))),
        );
        clock.now = t0 + 31 * 60_000;
        const swept = await s.waitFor(a?.sweep() as Promise<{ failed: number }>);

        // Assess: the same statuses as in the events' own order.
        expect(answers.map((answer) => answer.error)).toEqual([
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
        ]);
        expect(swept.failed).toBe(0);
        const superseded = `superseded by ${c3.slice(0, 7)}, deployed with it`;
        for (const sha of [c1, c2]) {
          expect([shown(sha)?.state, shown(sha)?.description]).toEqual(['success', superseded]);
          expect((await a?.ledger.read(identity(sha)))?.claim.status.state).toBe('success');
        }
        expect([shown(c3)?.state, shown(c3)?.description]).toEqual(['success', 'reconciliation succeeded']);
      }),
      { numRuns: 25 },
    );
  });
});
