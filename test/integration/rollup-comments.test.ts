import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentConfigSchema } from '../../functions/config/environment-config.js';
import type { FleetEnvironment } from '../../functions/config/fleet-environments.js';
import { MemoryClusterVerdicts } from '../../functions/ledger/memory-cluster-verdicts.js';
import { MemoryLedger } from '../../functions/ledger/memory-ledger.js';
import { MemoryRollupLedger } from '../../functions/ledger/memory-rollup-ledger.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { fleetRoutes, testRoute, type Verdict, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

/**
 * A fleet environment's comment on a change request: the roll-up's verdict, one comment per
 * (change request, object, environment), edited in the roll-up's own order on a stateful GitHub.
 */

const CLUSTERS = ['preview-1', 'preview-2'];
const BASE = Math.floor(Date.now() / 1000) * 1000 - 600_000;
const ENVIRONMENT: FleetEnvironment = { changeRequestComments: true };
const MARKER = '<!-- flux-pr-comment-key:environment/production/Kustomization/flux-system/apps -->';
let changeRequests = 40;
let shaCounter = 0;
const nextSha = () => (++shaCounter).toString(16).padStart(40, 'c');

function event(sha: string, verdict: Verdict, second: number, changeRequest: number) {
  const parsed = JSON.parse(
    verdictEvent(sha, verdict, BASE + second * 1000, { message: 'podinfo not ready' }),
  );
  parsed.metadata['event.toolkit.fluxcd.io/change_request'] = String(changeRequest);
  parsed.metadata['event.toolkit.fluxcd.io/preview-url'] = `https://pr-${changeRequest}.preview.example.com`;
  return JSON.stringify(parsed);
}

const sharedStores = () => ({
  ledger: new MemoryLedger(),
  rollups: new MemoryRollupLedger(),
  clusters: new MemoryClusterVerdicts(),
});

describe("a fleet environment's change request comment", () => {
  const github = new FakeGitHub();
  beforeAll(async () => void (await github.start()));
  afterAll(async () => github.stop());

  /** A relay ("container"); those given the same stores share them, as Lambdas share the tables. */
  function container(stores = sharedStores()) {
    const { relay } = testRelay(fleetRoutes(github.url, CLUSTERS), {
      environments: { production: ENVIRONMENT },
      ...stores,
    });
    const handler = createApiGatewayHandler(relay);
    return async (cluster: string, body: string) => {
      const response = await handler(apiEvent({ route: cluster, body }));
      expect(response.statusCode).toBe(200);
    };
  }

  const comments = (changeRequest: number) => github.comments.of('acme/fleet-infra', changeRequest);

  it("shows the roll-up's verdict in one comment, edited as the clusters report", async () => {
    const send = container();
    const changeRequest = ++changeRequests;
    const sha = nextSha();

    await send('preview-1', event(sha, 'success', 0, changeRequest));
    const halfway = comments(changeRequest).map((comment) => comment.body);
    await send('preview-2', event(sha, 'success', 1, changeRequest));

    expect(halfway).toHaveLength(1);
    expect(halfway[0]).toContain('**in progress** in environment `production`');
    const [only, ...rest] = comments(changeRequest);
    expect(rest).toEqual([]);
    expect(only?.body.startsWith(MARKER)).toBe(true);
    expect(only?.body).toContain(
      `✅ Kustomization/flux-system/apps: **succeeded** in environment \`production\` at \`${sha.slice(0, 7)}\``,
    );
    expect(only?.body).toContain(`[Preview](https://pr-${changeRequest}.preview.example.com)`);
  });

  it('ends showing the newest commit, whatever order two relays deliver the reports in', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const stores = sharedStores();
        const relays = [container(stores), container(stores)];
        const changeRequest = ++changeRequests;
        const [older, newer] = [nextSha(), nextSha()];
        // The older commit's reports first reach the service before the newer one's exist.
        await relays[0]?.('preview-1', event(older, 'failure', 0, changeRequest));
        const reports: [string, string, Verdict, number][] = [
          ['preview-2', older, 'success', 1],
          ['preview-1', newer, 'success', 60],
          ['preview-2', newer, 'success', 61],
        ];
        const sends = reports.map(([cluster, sha, verdict, second], index) =>
          s
            .schedule(Promise.resolve(), `${cluster} ${sha.slice(0, 4)}`)
            .then(() => relays[index % 2]?.(cluster, event(sha, verdict, second, changeRequest))),
        );
        await s.waitAll();
        await Promise.all(sends);

        const [only, ...rest] = comments(changeRequest);
        expect(rest).toEqual([]);
        expect(only?.body).toContain(
          `**succeeded** in environment \`production\` at \`${newer.slice(0, 7)}\``,
        );
      }),
      { numRuns: 12 },
    );
  });

  it('keeps the newer commit when the older commit’s roll-up is first recomputed after it', async () => {
    // Prepare: a fast cluster reports the newer commit before a slow one reports the older: the
    // older commit's roll-up record, and so its sequence, is made after the newer one's.
    const send = container();
    const changeRequest = ++changeRequests;
    // Shas whose first seven characters differ, as the comment shows them.
    const [older, newer] = [nextSha(), nextSha()].map((sha) => sha.split('').reverse().join('')) as [
      string,
      string,
    ];

    // Act
    await send('preview-1', event(newer, 'success', 60, changeRequest));
    await send('preview-2', event(older, 'failure', 10, changeRequest));

    // Assess: the comment tells the newer commit's roll-up, by Flux's clock, not by record age.
    const [only, ...rest] = comments(changeRequest);
    expect(rest).toEqual([]);
    expect(only?.body).toContain(`at \`${newer.slice(0, 7)}\``);
    expect(only?.body).not.toContain(older.slice(0, 7));
  });

  it('is refused on a forge without change request comments', () => {
    const parsed = EnvironmentConfigSchema.safeParse({
      routes: [
        testRoute('http://127.0.0.1:1', {
          id: 'eu',
          environment: 'production',
          provider: { type: 'bitbucket', address: 'https://bitbucket.org/acme/fleet-infra', secret: 'x' },
        }),
      ],
      environments: { production: { changeRequestComments: true } },
    });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(
      'environments.production.changeRequestComments',
    );
  });
});
