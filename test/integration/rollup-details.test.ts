import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { FleetEnvironment } from '../../functions/config/fleet-environments.js';
import type { Route } from '../../functions/config/route-schema.js';
import { absoluteTime } from '../../functions/details/page-time.js';
import { rollupPages } from '../../functions/fleet/rollup-page.js';
import { recordKeyOf, rollupKeyOf, rollupTargets } from '../../functions/fleet/rollup-place.js';
import { DynamoDbClusterVerdicts } from '../../functions/ledger/dynamodb-cluster-verdicts.js';
import { DynamoDbDetailsStore } from '../../functions/ledger/dynamodb-details-store.js';
import { DynamoDbLedger } from '../../functions/ledger/dynamodb-ledger.js';
import { DynamoDbRollupLedger } from '../../functions/ledger/dynamodb-rollup-ledger.js';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { detailsService } from '../../functions/webhook/details-service.js';
import {
  FORGE_TOKEN,
  fleetRoutes,
  MemorySecrets,
  type Verdict,
  verdictEvent,
  WEBHOOK_KEY,
} from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';
import { useSharedTable } from '../harness/shared-table.js';

/**
 * A roll-up's details page, through the whole relay and the page function: three clusters of one
 * environment, every store on dynalite through the real DynamoDB client, real octokit against a
 * stateful GitHub. The page is read from the clusters' items when it is opened.
 */

const CLUSTERS = ['prod-eu-1', 'prod-us-1', 'prod-us-2'] as const;
const ROLLUP_CONTEXT = 'flux/production/kustomization/apps';
const BASE = 'https://status.example.com';
const PAGE_KEY = 'rollup-page-key-0123456789abcdef';
const START = Math.floor(Date.now() / 60_000) * 60_000 - 3600_000;
const at = (seconds: number) => new Date(START + seconds * 1000).toISOString().replace('.000', '');
/** Markup, an attribute break and a right-to-left override in a cluster's message, and the forge's token. */
const HOSTILE = `<script>alert(1)</script>"><img src=x onerror=alert(2)> \u202Egnp.exe token ${FORGE_TOKEN}`;
let shaCounter = 0;
const nextSha = () => (++shaCounter).toString(16).padStart(40, 'd');

const PRODUCTION: FleetEnvironment = {
  context: 'flux/{{environment}}/{{kind}}/{{name}}',
  counts: true,
  promotion: { type: 'repository_dispatch', eventType: 'flux-production-ready' },
};

function pageRequest(link: string): APIGatewayProxyEventV2 {
  const path = link.slice(BASE.length);
  const event = apiEvent({ body: '', method: 'GET' });
  return {
    ...event,
    routeKey: 'GET /details/{token}',
    rawPath: path,
    pathParameters: { token: path.slice('/details/'.length) },
    requestContext: {
      ...event.requestContext,
      routeKey: 'GET /details/{token}',
      http: { ...event.requestContext.http, method: 'GET', path },
    },
  };
}

describe("a roll-up's details page", () => {
  const shared = useSharedTable();

  /** One function as the stack deploys it: the webhook, its roll-up consumer and the pages, over the shared tables. */
  function service(routes: Route[], pageFleetTable = shared.fleetTable) {
    const config = shared.dynamo.clientConfig;
    const secrets = new MemorySecrets({
      'test/webhook': { token: WEBHOOK_KEY },
      'test/forge': { token: FORGE_TOKEN },
      'test/details-key': { token: PAGE_KEY },
    });
    const clusters = new DynamoDbClusterVerdicts(shared.fleetTable, config);
    const rollups = new DynamoDbRollupLedger(shared.table, config);
    const details = detailsService(
      { secret: 'test/details-key', baseUrl: BASE, throttle: { rateLimit: 10, burstLimit: 20 } },
      {
        secrets,
        store: new DynamoDbDetailsStore(shared.table, config),
        baseUrl: () => undefined,
        routes,
        rollupPage: rollupPages({
          clusters:
            pageFleetTable === shared.fleetTable
              ? clusters
              : new DynamoDbClusterVerdicts(pageFleetTable, config),
          rollups,
          targets: rollupTargets(routes, { production: PRODUCTION }),
        }),
      },
    );
    const { relay } = testRelay(routes, {
      secrets,
      environments: { production: PRODUCTION },
      ledger: new DynamoDbLedger(shared.table, config),
      rollups,
      clusters,
      details: details.links,
    });
    const handler = apiGatewayHandler(relay, Date.now, details.page);
    return {
      async send(cluster: string, sha: string, verdict: Verdict, second: number, message?: string) {
        const body = verdictEvent(sha, verdict, at(second), message === undefined ? {} : { message });
        const answer = await handler(apiEvent({ route: cluster, body }));
        expect(answer.statusCode).toBe(200);
      },
      open: (link: string) => handler(pageRequest(link)),
    };
  }

  const rollupStatus = (sha: string) =>
    shared.github.statusesOf('acme/fleet-infra', sha).find((status) => status.context === ROLLUP_CONTEXT);

  it('links the roll-up to the fleet view of its commit: each cluster with its newest verdict, time and message, failing first', async () => {
    // Prepare
    const sha = nextSha();
    const { send, open } = service(fleetRoutes(shared.github.url, CLUSTERS, { detailsPage: true }));

    // Act
    await send('prod-eu-1', sha, 'success', 10);
    await send('prod-us-2', sha, 'pending', 20);
    await send('prod-us-1', sha, 'failure', 30, HOSTILE);
    const link = rollupStatus(sha)?.target_url as string;
    const page = await open(link);

    // Assess
    expect(link).toMatch(/^https:\/\/status\.example\.com\/details\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(page.headers?.['cache-control']).toBe('no-store');
    const body = page.body;
    expect(body).toContain(`<h1 id="verdict">`);
    expect(body).toContain('Failure</span>flux/production/kustomization/apps</h1>');
    expect(body).toContain(
      '<dt>Failing</dt><dd>1</dd><dt>No verdict</dt><dd>0</dd><dt>Progressing</dt><dd>1</dd>',
    );
    expect(body).toContain('<dt>Reconciled</dt><dd>1</dd>');
    // Failing, then progressing, then reconciled, each with its event's time.
    const places = ['prod-us-1', 'prod-us-2', 'prod-eu-1'].map((cluster) =>
      body.indexOf(`<strong>${cluster}</strong>`),
    );
    expect(places.every((place) => place > 0)).toBe(true);
    expect([...places].sort((a, b) => a - b)).toEqual(places);
    for (const second of [10, 20, 30]) expect(body).toContain(absoluteTime(Date.parse(at(second))));
    // The message is text: escaped, its override shown as a code, and the forge's token scrubbed.
    expect(body).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;',
    );
    expect(body).toContain('[U+202E]gnp.exe');
    expect(body).not.toMatch(/<script|<img|\u202E/);
    expect(body).not.toContain(FORGE_TOKEN);
    expect(body).not.toContain(PAGE_KEY);
  });

  it('is read when opened: the same link shows the newest verdicts, and the roll-up keeps its link', async () => {
    // Prepare
    const sha = nextSha();
    const { send, open } = service(fleetRoutes(shared.github.url, CLUSTERS, { detailsPage: true }));
    for (const cluster of CLUSTERS) await send(cluster, sha, 'pending', 0);
    await send('prod-us-1', sha, 'failure', 10, 'podinfo not ready');
    const link = rollupStatus(sha)?.target_url as string;

    // Act
    for (const cluster of CLUSTERS) await send(cluster, sha, 'success', 20);
    const page = await open(link);

    // Assess
    expect(rollupStatus(sha)).toMatchObject({ state: 'success', target_url: link });
    expect(page.body).toContain('Success</span>flux/production/kustomization/apps</h1>');
    expect(page.body).toContain('<p>3/3 clusters reconciled</p>');
    expect(page.body).toContain('<dt>Failing</dt><dd>0</dd>');
    expect(page.body).not.toContain('podinfo not ready');
  });

  it('lists the commits the deployment carried once the roll-up turned final, and keeps them listed', async () => {
    // Prepare: W deployed everywhere, then C1 and X pushed together; the clusters deploy X alone.
    const { graph } = shared.github;
    const [w] = graph.chain('page-w', 1) as [string];
    const [c1, x] = graph.chain('page', 2, w) as [string, string];
    const { send, open } = service(fleetRoutes(shared.github.url, CLUSTERS, { detailsPage: true }));
    for (const cluster of CLUSTERS) await send(cluster, w, 'success', 10);

    // Act
    for (const cluster of CLUSTERS) await send(cluster, x, 'success', 40);
    const link = rollupStatus(x)?.target_url as string;
    const page = await open(link);
    // A re-sent verdict changes nothing of what the page lists.
    await send('prod-eu-1', x, 'success', 50);
    const again = await open(link);

    // Assess
    expect(rollupStatus(c1)?.description).toBe(`deployed with ${x.slice(0, 7)}`);
    for (const body of [page.body, again.body]) {
      expect(body).toContain('Commits it carried (1)');
      expect(body).toContain(`Since <code>${w}</code>`);
      expect(body).toContain(`<li><code>${c1}</code></li>`);
    }
    // W's own page carried nothing: its range had no base.
    expect((await open(rollupStatus(w)?.target_url as string)).body).not.toContain('Commits it carried');
  });

  it('answers an altered, cut or unknown link with the plain 404', async () => {
    // Prepare
    const sha = nextSha();
    const { send, open } = service(fleetRoutes(shared.github.url, CLUSTERS, { detailsPage: true }));
    await send('prod-eu-1', sha, 'failure', 0, 'podinfo not ready');
    const link = rollupStatus(sha)?.target_url as string;

    // Act
    const answers = await Promise.all(
      [`${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`, link.slice(0, -3), `${BASE}/details/x.y`].map(
        open,
      ),
    );

    // Assess
    expect(answers.map((answer) => answer.statusCode)).toEqual([404, 404, 404]);
    for (const answer of answers) expect(answer.body).not.toContain('prod-eu-1');
  });

  it('answers 503 when the fleet table cannot be read, saying nothing of why', async () => {
    // Prepare: the page function pointed at a table that does not exist.
    const sha = nextSha();
    const { send, open } = service(
      fleetRoutes(shared.github.url, CLUSTERS, { detailsPage: true }),
      'no-such-fleet-table',
    );
    await send('prod-eu-1', sha, 'failure', 0, 'podinfo not ready');

    // Act
    const page = await open(rollupStatus(sha)?.target_url as string);

    // Assess
    expect(page.statusCode).toBe(503);
    expect(page.headers?.['retry-after']).toBe('5');
    expect(page.body).toContain('Page not available right now');
    expect(page.body).not.toMatch(/no-such-fleet-table|ResourceNotFound|prod-eu-1/);
  });

  it('links no page from an environment with a route that keeps its messages off pages', async () => {
    // Prepare
    const sha = nextSha();
    const routes = fleetRoutes(shared.github.url, CLUSTERS, { detailsPage: true }).map((route) =>
      route.id === 'prod-us-2' ? { ...route, detailsPage: false } : route,
    );
    const { send } = service(routes);

    // Act
    await send('prod-eu-1', sha, 'failure', 0, 'podinfo not ready');

    // Assess
    expect(rollupStatus(sha)).toMatchObject({ state: 'failure' });
    expect(rollupStatus(sha)?.target_url ?? undefined).toBeUndefined();
  });

  it('a linked roll-up whose record expired promotes nothing twice: the earned success is marked, not inferred from an empty link', async () => {
    // Prepare
    const sha = nextSha();
    const routes = fleetRoutes(shared.github.url, CLUSTERS, { detailsPage: true });
    const { send } = service(routes);
    const dispatchesBefore = shared.github.dispatches.length;
    const expire = () =>
      shared.dynamo.client.send(
        new DeleteItemCommand({
          TableName: shared.table,
          Key: { id: { S: recordKeyOf(rollupKeyOf(routes[0] as Route, sha, 'production', ROLLUP_CONTEXT)) } },
        }),
      );

    // Act: green, linked and promoted; the record expires; a redeployment fails, and recovers.
    for (const cluster of CLUSTERS) await send(cluster, sha, 'success', 0);
    const green = rollupStatus(sha);
    await expire();
    await send('prod-us-1', sha, 'failure', 10, 'podinfo not ready');
    await send('prod-us-1', sha, 'success', 20);

    // Assess
    expect(green?.target_url).toMatch(/^https:\/\/status\.example\.com\/details\//);
    expect(rollupStatus(sha)).toMatchObject({ state: 'success', description: '3/3 clusters reconciled' });
    expect(shared.github.dispatches.slice(dispatchesBefore)).toHaveLength(1);
  });
});
