import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type Route, type RouteInput, RouteSchema } from '../../functions/config/route-schema.js';
import {
  parseSecretString,
  type SecretSource,
  type SecretValue,
} from '../../functions/secrets/secret-source.js';

/** The data every tier shares: Flux's own events, the test keys, a route and secrets in memory. */

export const WEBHOOK_KEY = 'example-generic-hmac-token';
export const FORGE_TOKEN = 'ghp_forgeTokenThatMustNeverLeak0123456789';

/** A fixture's exact bytes, as notification-controller sent them. */
export function fixture(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/flux-events/${name}`, import.meta.url));
}

export const FIXTURES = {
  reconciled: '03-kustomization-reconciled-commit-status-update.json',
  healthCheckFailed: '04-kustomization-health-check-failed.json',
  progressing: '05-kustomization-changeset-progressing.json',
  prefixed: '09-raw-kustomize-controller-to-nc.json',
  errorWithoutRevision: '10-kustomization-error-without-revision.json',
} as const;

export function sign(body: Buffer | string, key = WEBHOOK_KEY, algorithm = 'sha256'): string {
  return `${algorithm}=${createHmac(algorithm, key).update(body).digest('hex')}`;
}

/** A Flux event as an object, to vary one field of a real fixture. */
export function eventOf(name: string): Record<string, any> {
  return JSON.parse(fixture(name).toString('utf8'));
}

/** Secrets held in memory, counting fresh reads, for tests that are not about the secret store itself. */
export class MemorySecrets implements SecretSource {
  freshGets = 0;
  constructor(readonly values: Record<string, unknown>) {}

  async get(name: string, options: { fresh?: boolean } = {}): Promise<SecretValue> {
    if (options.fresh) this.freshGets++;
    const value = this.values[name];
    if (value === undefined) throw new Error(`no secret ${name} in the test`);
    return parseSecretString(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
}

export function defaultSecrets(): MemorySecrets {
  return new MemorySecrets({ 'test/webhook': { token: WEBHOOK_KEY }, 'test/forge': { token: FORGE_TOKEN } });
}

export function testRoute(apiUrl: string, overrides: Partial<RouteInput> = {}): Route {
  return RouteSchema.parse({
    id: 'test',
    cluster: 'prod-eu-1',
    auth: { type: 'hmac', secret: 'test/webhook' },
    provider: {
      type: 'github',
      address: 'https://github.com/acme/fleet-infra',
      secret: 'test/forge',
      apiUrl,
    },
    ...overrides,
  });
}

/** One route per cluster of the `production` fleet environment, each named after its cluster. */
export function fleetRoutes(
  apiUrl: string,
  clusters: readonly string[],
  overrides: Partial<RouteInput> = {},
): Route[] {
  return clusters.map((cluster) =>
    testRoute(apiUrl, {
      id: cluster,
      cluster,
      environment: 'production',
      clusterStatuses: false,
      ...overrides,
    }),
  );
}

export type Verdict = 'pending' | 'success' | 'failure';

/**
 * A Flux event of Kustomization flux-system/apps on `sha`: Progressing, reconciled, or a failed
 * health check saying `message`, stamped `time` (epoch ms, cut to Flux's whole seconds, or as is).
 */
export function verdictEvent(
  sha: string,
  verdict: Verdict,
  time: number | string,
  { message = 'not ready', name = 'apps' }: { message?: string; name?: string } = {},
): string {
  const event = eventOf(FIXTURES.reconciled);
  event.metadata.revision = `main@sha1:${sha}`;
  event.involvedObject.name = name;
  event.timestamp =
    typeof time === 'string'
      ? time
      : new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000', '');
  if (verdict === 'pending') Object.assign(event, { reason: 'Progressing', message: 'applying' });
  if (verdict === 'failure')
    Object.assign(event, { severity: 'error', reason: 'HealthCheckFailed', message });
  return JSON.stringify(event);
}
