/**
 * `npm run load-test`: the local server under concurrent load on 127.0.0.1, against a zero-latency
 * fake GitHub. Bounded in requests and time; prints requests/s, latency, errors, lost events and RSS.
 */
import autocannon from 'autocannon';
import { FakeGitHub } from '../test/fakes/fake-github.js';
import { fluxStream, fluxStreamRoutes, fluxStreamSecrets } from '../test/harness/flux-stream.js';
import { startTestServer } from '../test/harness/test-server.js';
import { runTool } from './lib/cli.js';

const USAGE = `Usage: npm run -s load-test

Drives the local server on 127.0.0.1 with autocannon against a zero-latency fake GitHub: a fleet of its
own, 20 connections, 5 passes over one 1,000-event Flux stream. Prints requests/s, latency, errors,
lost events and memory on stdout; exit code 1 when a request failed or a status was lost.
`;

await runTool({ name: 'load-test', usage: USAGE, options: {}, config: false }, loadTest);

async function loadTest(): Promise<number> {
  process.env.GITHUB_WRITE_SPACING_MS = '0';
  const CLUSTERS = ['prod-eu-1', 'prod-us-1', 'staging'];
  const EVENTS = 1000;
  const PASSES = 5;
  const CONNECTIONS = 20;

  const github = await new FakeGitHub().start();
  const server = await startTestServer(
    { routes: fluxStreamRoutes(github.url, CLUSTERS) },
    Object.fromEntries(fluxStreamSecrets(CLUSTERS)),
  );

  const stream = fluxStream({ events: EVENTS, kustomizations: 20, clusters: CLUSTERS, seed: 7 });
  let next = 0;
  const statuses = new Map<number, number>();
  const rss: number[] = [process.memoryUsage().rss];

  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    amount: EVENTS * PASSES,
    timeout: 10,
    requests: [
      {
        setupRequest: (request) => {
          const event = stream[next++ % stream.length];
          if (event === undefined) return request;
          if (next % EVENTS === 0) rss.push(process.memoryUsage().rss);
          return {
            ...request,
            method: 'POST',
            path: `/hooks/${event.route}`,
            headers: { 'content-type': 'application/json', 'x-signature': event.signature },
            body: event.body,
          };
        },
        onResponse: (status) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        },
      },
    ],
  });
  rss.push(process.memoryUsage().rss);

  // An event is lost if the newest status of its object on the forge is not the last one Flux sent.
  const last = new Map(
    stream.filter((event) => event.kind !== 'repeat').map((event) => [event.object, event]),
  );
  let lost = 0;
  for (const event of last.values()) {
    const context = `kustomization/${event.object.split('/')[1]}/${event.route}`;
    const newest = github
      .statusesOf('acme/fleet-infra', event.sha)
      .find((status) => status.context === context);
    const expected = { 'new-commit': 'success', error: 'failure', progressing: 'pending' }[
      event.kind as 'error'
    ];
    if (newest?.state !== expected) lost++;
  }

  await server.stop();
  await github.stop();

  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const errors =
    result.errors +
    result.timeouts +
    [...statuses].filter(([code]) => code >= 300 && code !== 202).reduce((sum, [, n]) => sum + n, 0);
  const report = [
    `load test: ${result.requests.total} requests, ${CONNECTIONS} connections, ${PASSES} passes over a ${EVENTS}-event Flux stream`,
    `requests/s   ${result.requests.average.toFixed(0)} (mean)`,
    `latency      p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    `answers      ${[...statuses].map(([code, n]) => `${code}: ${n}`).join(', ')}`,
    `errors       ${errors}`,
    `lost events  ${lost} of ${last.size} objects whose last status is not on the forge`,
    `forge calls  ${github.requests.length} (${github.writes.length} writes)`,
    `RSS          ${rss.map(mb).join(' → ')}`,
  ];
  process.stdout.write(`${report.join('\n')}\n`);
  return errors === 0 && lost === 0 ? 0 : 1;
}
