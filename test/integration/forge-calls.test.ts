import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteSchema } from '../../functions/config/route-schema.js';
import { SecretsManagerSource } from '../../functions/secrets/secrets-manager-source.js';
import { createApiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { FakeSecretsManager } from '../fakes/fake-secrets-manager.js';
import {
  expectedForgeCalls,
  fluxStream,
  fluxStreamRoutes,
  fluxStreamSecrets,
  identityOf,
  type StreamEvent,
  streamApiEvent,
} from '../harness/flux-stream.js';
import { testRelay } from '../harness/relay-harness.js';

const CLUSTERS = ['prod-eu-1', 'prod-us-1', 'staging-eu-1'];

interface Delivery {
  event: StreamEvent;
  statusCode: number;
  outcome: string;
  /** The forge calls this event caused on its own commit, as `METHOD path`. */
  calls: string[];
  /** The writes it caused on older commits it superseded (functions/pending/). */
  resolutions: string[];
  /** The range reads of its deployment (functions/ranges/): one per new commit of a deployed object. */
  ranges: string[];
  secretsManagerCalls: number;
}

/**
 * The counts behind `npm run bench`'s calls per event, on a smaller run of the same Flux-like stream
 * (80 % repeats, 10 % new commits, 5 % errors, 5 % Progressing). Counts are deterministic, so unlike
 * the bench's timings they can fail a test.
 */
describe('forge and Secrets Manager calls on a Flux-like stream', () => {
  const stream = fluxStream({ events: 200, kustomizations: 5, clusters: CLUSTERS, seed: 7 });
  const deliveries: Delivery[] = [];
  let superseded = 0;
  let github: FakeGitHub;
  let secretsManager: FakeSecretsManager;

  beforeAll(async () => {
    github = await new FakeGitHub().start();
    secretsManager = await new FakeSecretsManager().start();
    for (const [name, value] of fluxStreamSecrets(CLUSTERS)) secretsManager.secrets.set(name, value);
    const routes = fluxStreamRoutes(github.url, CLUSTERS).map((route) => RouteSchema.parse(route));
    const { relay, records } = testRelay(routes, {
      secrets: new SecretsManagerSource(secretsManager.clientConfig()),
    });
    const handler = createApiGatewayHandler(relay);
    for (const event of stream) {
      const [forgeBefore, secretsBefore] = [github.requests.length, secretsManager.calls];
      const response = await handler(streamApiEvent(event));
      const calls = github.requests.slice(forgeBefore).map((request) => `${request.method} ${request.path}`);
      deliveries.push({
        event,
        statusCode: response.statusCode,
        outcome: JSON.parse(response.body).outcome,
        calls: calls.filter((call) => call.includes(event.sha) && !call.includes('/compare/')),
        ranges: calls.filter((call) => call.includes('/compare/')),
        resolutions: calls.filter((call) => !call.includes(event.sha)),
        secretsManagerCalls: secretsManager.calls - secretsBefore,
      });
    }
    superseded = records.filter((record) => record.resolution === 'superseded').length;
  });

  afterAll(async () => {
    await Promise.all([github?.stop(), secretsManager?.stop()]);
  });

  it('costs no forge call for a repeat of a status this container already wrote', () => {
    const repeats = deliveries.filter(({ event }) => event.kind === 'repeat');

    expect(repeats.length).toBe(160);
    expect(repeats.filter(({ calls, outcome }) => calls.length > 0 || outcome !== 'duplicate')).toEqual([]);
  });

  it('costs one read and one write for a first status of an identity, and a write alone after it', () => {
    const changes = deliveries.filter(({ event }) => event.kind !== 'repeat');
    const seen = new Set<string>();
    const read = (sha: string) => `GET /repos/acme/fleet-infra/commits/${sha}/statuses`;
    const write = (sha: string) => `POST /repos/acme/fleet-infra/statuses/${sha}`;
    expect(changes.length).toBe(40);
    for (const { event, calls, statusCode, outcome } of changes) {
      const first = !seen.has(identityOf(event));
      seen.add(identityOf(event));
      expect({ kind: event.kind, calls, statusCode, outcome }).toEqual({
        kind: event.kind,
        calls: first ? [read(event.sha), write(event.sha)] : [write(event.sha)],
        statusCode: 200,
        outcome: 'written',
      });
    }
    expect(seen.size).toBeLessThan(changes.length);
  });

  it('stays within 1.05 forge calls per event, where Flux makes a read for every event', () => {
    const calls = deliveries.reduce((sum, { calls }) => sum + calls.length, 0);
    const writes = deliveries.reduce(
      (sum, { calls }) => sum + calls.filter((c) => c.startsWith('POST')).length,
      0,
    );
    const expected = expectedForgeCalls(stream);
    const resolutions = deliveries.flatMap((delivery) => delivery.resolutions);

    expect({ calls, writes }).toEqual(expected.relay);
    // Besides: one range read per deployment of a new commit after the object's first; this stream's
    // commits carry no others, so the reads find nothing to write.
    expect(deliveries.flatMap((delivery) => delivery.ranges)).toHaveLength(expected.rangeReads);
    // Besides: one write for each older pending commit that a newer commit's verdict superseded.
    expect(superseded).toBeGreaterThan(0);
    expect(resolutions).toHaveLength(superseded);
    expect(resolutions.every((call) => call.startsWith('POST'))).toBe(true);
    expect((calls + resolutions.length) / stream.length).toBeLessThanOrEqual(1.05);
    expect(calls / stream.length).toBeLessThanOrEqual(1.05);
    expect(expected.flux.calls / stream.length).toBe(1.2);
  });

  it('reads each secret from Secrets Manager once: every later event uses the cache', () => {
    const secrets = fluxStreamSecrets(CLUSTERS).size;
    const firstOfRoute = new Set(
      CLUSTERS.map((cluster) => stream.findIndex((event) => event.route === cluster)),
    );

    expect(secretsManager.calls).toBe(secrets);
    expect(
      deliveries.filter(
        ({ secretsManagerCalls }, index) => secretsManagerCalls > 0 && !firstOfRoute.has(index),
      ),
    ).toEqual([]);
  });
});
