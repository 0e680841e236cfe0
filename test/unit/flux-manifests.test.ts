import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import * as z from 'zod/mini';
import { loadConfigFile } from '../../functions/config/config-file.js';
import { type RouteInput, RouteSchema } from '../../functions/config/route-schema.js';
import { FLUX_KINDS } from '../../functions/core/flux-kinds.js';
import { listEnvironments } from '../../infra/environments.js';
import { CONFIG_DIR, PROJECT_ROOT } from '../../infra/paths.js';
import { renderFluxManifests, urlBelow, urlsFromOutputs } from '../../scripts/lib/flux-manifests.js';

/*
 * The shapes below are Flux's notification.toolkit.fluxcd.io/v1beta3 Provider and Alert, from the
 * CRDs in fluxcd/notification-controller, config/crd/bases/notification.toolkit.fluxcd.io_providers.yaml
 * and ..._alerts.yaml (the `v1beta3` version's openAPIV3Schema), as documented at
 * https://fluxcd.io/flux/components/notification/providers/ and .../alerts/. Only the fields and
 * limits that a generated manifest can touch are spelled out; strict objects refuse any other field.
 */
const Duration = z.string().check(z.regex(/^([0-9]+(\.[0-9]+)?(ms|s|m))+$/));
const LocalRef = z.strictObject({ name: z.string().check(z.minLength(1)) });
const DnsName = z.string().check(z.regex(/^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/));
const Metadata = z.strictObject({ name: DnsName, namespace: DnsName });

const ProviderSchema = z.strictObject({
  apiVersion: z.literal('notification.toolkit.fluxcd.io/v1beta3'),
  kind: z.literal('Provider'),
  metadata: Metadata,
  spec: z.strictObject({
    type: z.enum(['generic', 'generic-hmac']),
    address: z.optional(z.string().check(z.maxLength(2048))),
    timeout: z.optional(Duration),
    secretRef: z.optional(LocalRef),
  }),
});

const AlertSchema = z.strictObject({
  apiVersion: z.literal('notification.toolkit.fluxcd.io/v1beta3'),
  kind: z.literal('Alert'),
  metadata: Metadata,
  spec: z.strictObject({
    providerRef: LocalRef,
    eventSeverity: z.optional(z.enum(['info', 'error'])),
    eventSources: z.array(
      z.strictObject({
        kind: z.enum(FLUX_KINDS),
        name: z.string().check(z.minLength(1), z.maxLength(253)),
        namespace: z.optional(z.string().check(z.minLength(1), z.maxLength(253))),
      }),
    ),
    eventMetadata: z.optional(z.record(z.string(), z.string())),
  }),
});

/** A core/v1 Secret as Flux reads it: `token` for generic-hmac, `headers` (a YAML map) for generic. */
const SecretSchema = z.strictObject({
  apiVersion: z.literal('v1'),
  kind: z.literal('Secret'),
  metadata: Metadata,
  type: z.literal('Opaque'),
  stringData: z.union([
    z.strictObject({ token: z.string() }),
    z.strictObject({ headers: z.string().check(z.regex(/^Authorization: Bearer \S/)) }),
  ]),
});

const ManifestSchema = z.discriminatedUnion('kind', [SecretSchema, ProviderSchema, AlertSchema]);
type Manifest = z.infer<typeof ManifestSchema>;

function parseStream(text: string): Manifest[] {
  return parseAllDocuments(text).map((document) => {
    expect(document.errors).toEqual([]);
    return ManifestSchema.parse(document.toJSON());
  });
}

function byKind<K extends Manifest['kind']>(manifests: Manifest[], kind: K) {
  return manifests.filter((manifest): manifest is Extract<Manifest, { kind: K }> => manifest.kind === kind);
}

const BASE = 'https://abc123.execute-api.eu-west-1.amazonaws.com';

function route(overrides: Partial<RouteInput>) {
  return RouteSchema.parse({
    id: 'r1',
    auth: { secret: 'hooks/r1' },
    provider: { type: 'github', address: 'https://github.com/acme/fleet', secret: 'gh' },
    ...overrides,
  });
}

function render(routes: ReturnType<typeof route>[]) {
  return renderFluxManifests(routes, { namespace: 'flux-system', urlOf: (id) => urlBelow(BASE, id) });
}

describe('flux-manifests', () => {
  const environments = listEnvironments(CONFIG_DIR);

  it('has example environments to check', () => {
    expect(environments).toEqual(expect.arrayContaining(['dev', 'local', 'prod']));
  });

  it.each(environments)('writes valid v1beta3 manifests for every route of %s', (name) => {
    const config = loadConfigFile(join(CONFIG_DIR, `${name}.json`));
    const manifests = parseStream(render(config.routes));
    expect(manifests).toHaveLength(3 * config.routes.length);

    const providers = byKind(manifests, 'Provider');
    const alerts = byKind(manifests, 'Alert');
    const secrets = byKind(manifests, 'Secret');
    for (const each of config.routes) {
      const provider = providers.find((candidate) => candidate.spec.address === `${BASE}/hooks/${each.id}`);
      expect(provider, each.id).toBeDefined();
      expect(provider?.spec.type).toBe(each.auth.type === 'bearer' ? 'generic' : 'generic-hmac');
      expect(provider?.spec.timeout).toBe('15s');
      const secret = secrets.find((candidate) => candidate.metadata.name === provider?.spec.secretRef?.name);
      expect(secret?.stringData, each.id).toHaveProperty(each.auth.type === 'bearer' ? 'headers' : 'token');
      const alert = alerts.find((candidate) => candidate.spec.providerRef.name === provider?.metadata.name);
      expect(alert?.spec.eventSources.length, each.id).toBeGreaterThan(0);
      // The cluster comes from the route; an Alert's metadata could not set it, so none is written.
      expect(alert?.spec.eventMetadata, each.id).toBeUndefined();
    }
  });

  it('never prints a real webhook key, only a placeholder naming the secret', () => {
    const secrets: Record<string, { token: string }> = JSON.parse(
      readFileSync(join(CONFIG_DIR, 'local-secrets.json'), 'utf8'),
    );
    const text = render(loadConfigFile(join(CONFIG_DIR, 'local.json')).routes);
    for (const value of Object.values(secrets)) expect(text).not.toContain(value.token);
    expect(text).toContain('<the token of secret local/webhook>');
  });

  it("maps the route's event filter onto eventSources and eventSeverity", () => {
    const filtered = route({
      events: {
        kinds: ['Kustomization', 'HelmRelease'],
        names: ['apps', 'infra'],
        namespaces: ['flux-system', 'team-a'],
        severities: ['error'],
      },
    });
    const [alert] = byKind(parseStream(render([filtered])), 'Alert');
    expect(alert?.spec.eventSeverity).toBe('error');
    expect(alert?.spec.eventSources).toHaveLength(8);
    expect(alert?.spec.eventSources).toContainEqual({
      kind: 'HelmRelease',
      name: 'infra',
      namespace: 'team-a',
    });
    expect(alert?.spec.eventSources).toContainEqual({
      kind: 'Kustomization',
      name: 'apps',
      namespace: 'flux-system',
    });
  });

  it('asks Flux for info events, which include errors, unless the route keeps errors alone', () => {
    const [alert] = byKind(
      parseStream(render([route({ events: { severities: ['info', 'error'] } })])),
      'Alert',
    );
    expect(alert?.spec.eventSeverity).toBe('info');
    expect(alert?.spec.eventSources).toEqual([
      { kind: 'Kustomization', name: '*' },
      { kind: 'HelmRelease', name: '*' },
    ]);
  });

  it('keeps hostile names intact as quoted scalars', () => {
    const names = ['yes', '0x1F', 'a: b', '# not a comment', 'line\nbreak', 'it\'s "quoted"'];
    const [alert] = byKind(
      parseStream(render([route({ events: { kinds: ['Kustomization'], names } })])),
      'Alert',
    );
    expect(alert?.spec.eventSources.map((source) => source.name)).toEqual(names);
  });

  it("takes each route's URL from cdk deploy --outputs-file", () => {
    const routes = [route({ id: 'prod-eu-1' }), route({ id: 'dry' })];
    const outputs = {
      'FluxCommitStatus-prod': {
        WebhookUrlProdEu1: 'https://flux-hooks.example.com/hooks/prod-eu-1',
        WebhookUrlDry: 'https://flux-hooks.example.com/hooks/dry',
      },
    };
    const urls = urlsFromOutputs(outputs, 'FluxCommitStatus-prod', routes, 'out.json');
    expect([...urls]).toEqual([
      ['prod-eu-1', 'https://flux-hooks.example.com/hooks/prod-eu-1'],
      ['dry', 'https://flux-hooks.example.com/hooks/dry'],
    ]);
    expect(() => urlsFromOutputs(outputs, 'FluxCommitStatus-dev', routes, 'out.json')).toThrow(
      /no outputs of stack FluxCommitStatus-dev/,
    );
    expect(() =>
      urlsFromOutputs(outputs, 'FluxCommitStatus-prod', [...routes, route({ id: 'new' })], 'out.json'),
    ).toThrow(/WebhookUrlNew \(route new\) is missing/);
  });

  it('joins a base URL and a route id whatever the trailing slashes', () => {
    expect(urlBelow('https://hooks.example.com/', 'a')).toBe('https://hooks.example.com/hooks/a');
    expect(urlBelow('https://hooks.example.com/stage//', 'a')).toBe(
      'https://hooks.example.com/stage/hooks/a',
    );
  });
});

describe('npm run flux-manifests', () => {
  const run = promisify(execFile);
  const tsx = join(PROJECT_ROOT, 'node_modules/.bin/tsx');
  const script = join(PROJECT_ROOT, 'scripts/flux-manifests.ts');

  it('prints the stream for the addresses of an outputs file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flux-manifests-'));
    const file = join(dir, 'outputs.json');
    writeFileSync(
      file,
      JSON.stringify({
        'FluxCommitStatus-prod': {
          WebhookUrlProdEu1: `${BASE}/hooks/prod-eu-1`,
          WebhookUrlProdUs1: `${BASE}/hooks/prod-us-1`,
        },
      }),
    );
    const { stdout } = await run(tsx, [script, '--env', 'prod', '--outputs', file], { cwd: PROJECT_ROOT });
    const addresses = byKind(parseStream(stdout), 'Provider').map((provider) => provider.spec.address);
    expect(addresses).toEqual([`${BASE}/hooks/prod-eu-1`, `${BASE}/hooks/prod-us-1`]);
  });

  it('exits 2 with a clear message when no URL is given for a deployed environment', async () => {
    const failure = await run(tsx, [script, '--env', 'prod'], { cwd: PROJECT_ROOT }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toMatch(/--outputs FILE .* or --url/);
  });
});
