import type { Route } from '../../functions/config/route-schema.js';
import { ConfigError } from '../../functions/core/errors.js';
import { webhookUrlOutputName } from '../../infra/output-names.js';

/** The kinds whose events carry the revision a commit status is written for. */
export const DEFAULT_KINDS = ['Kustomization', 'HelmRelease'] as const;

/**
 * Flux's own default, written out so that it is seen; the relay answers within the function's
 * 12-second limit, and Flux's retries of a 5xx fit in what is left.
 */
export const PROVIDER_TIMEOUT = '15s';

export interface ManifestOptions {
  /** The namespace of the Secret, Provider and Alert (the Alert's sources default to it too). */
  namespace: string;
  /** The URL Flux posts a route's events to. */
  urlOf: (routeId: string) => string;
}

/**
 * Every value goes out as a JSON string, which YAML reads as a double-quoted scalar: no name, URL
 * or placeholder can then be taken for a number, a boolean, a comment or a nested map.
 */
function scalar(value: string): string {
  return JSON.stringify(value);
}

function placeholderFor(route: Route): string {
  const names = Array.isArray(route.auth.secret) ? route.auth.secret : [route.auth.secret];
  // No ": " inside: the generic Provider parses `headers` as YAML, placeholder included.
  return `<the token of secret ${names.join(' or ')}>`;
}

function resourceName(route: Route): string {
  return `flux-commit-status-${route.id}`;
}

function secretManifest(route: Route, namespace: string): string[] {
  const placeholder = placeholderFor(route);
  const data =
    route.auth.type === 'bearer'
      ? // Flux's generic provider sends the headers of this map and ignores `token`.
        `  headers: ${scalar(`Authorization: Bearer ${placeholder}`)}`
      : `  token: ${scalar(placeholder)}`;
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${scalar(`${resourceName(route)}-webhook`)}`,
    `  namespace: ${scalar(namespace)}`,
    'type: Opaque',
    'stringData:',
    data,
  ];
}

function providerManifest(route: Route, options: ManifestOptions): string[] {
  const address = options.urlOf(route.id);
  if (address.length > 2048) {
    throw new ConfigError(`route ${route.id}: its URL is longer than a Provider's 2048-character address`);
  }
  return [
    'apiVersion: notification.toolkit.fluxcd.io/v1beta3',
    'kind: Provider',
    'metadata:',
    `  name: ${scalar(resourceName(route))}`,
    `  namespace: ${scalar(options.namespace)}`,
    'spec:',
    `  type: ${scalar(route.auth.type === 'bearer' ? 'generic' : 'generic-hmac')}`,
    `  address: ${scalar(address)}`,
    `  timeout: ${scalar(PROVIDER_TIMEOUT)}`,
    '  secretRef:',
    `    name: ${scalar(`${resourceName(route)}-webhook`)}`,
  ];
}

/**
 * The route's filter as Alert sources: every kind × namespace × name it lets through. Flux matches
 * a source's namespace exactly (an absent one is the Alert's), so a route that accepts any
 * namespace gets sources in the Alert's namespace only; the README says so.
 */
function eventSources(route: Route): string[] {
  // The config's schema admits only Flux's own kinds, so every kind here can be an Alert source.
  const kinds = route.events?.kinds ?? DEFAULT_KINDS;
  const names = route.events?.names ?? ['*'];
  const namespaces: (string | undefined)[] = route.events?.namespaces ?? [undefined];
  const lines: string[] = [];
  for (const kind of kinds) {
    for (const namespace of namespaces) {
      for (const name of names) {
        lines.push(`    - kind: ${scalar(kind)}`, `      name: ${scalar(name)}`);
        if (namespace !== undefined) lines.push(`      namespace: ${scalar(namespace)}`);
      }
    }
  }
  return lines;
}

function alertManifest(route: Route, namespace: string): string[] {
  const severities = route.events?.severities;
  // Flux's `info` forwards errors too; only a route that keeps errors alone can ask for less.
  const severity = severities !== undefined && !severities.includes('info') ? 'error' : 'info';
  return [
    'apiVersion: notification.toolkit.fluxcd.io/v1beta3',
    'kind: Alert',
    'metadata:',
    `  name: ${scalar(resourceName(route))}`,
    `  namespace: ${scalar(namespace)}`,
    'spec:',
    '  providerRef:',
    `    name: ${scalar(resourceName(route))}`,
    `  eventSeverity: ${scalar(severity)}`,
    '  eventSources:',
    // No eventMetadata: the relay takes {{cluster}} from the route, whatever an event's metadata says.
    ...eventSources(route),
  ];
}

/** One YAML stream, a Secret, a Provider and an Alert per route, for `kubectl apply -f -`. */
export function renderFluxManifests(routes: readonly Route[], options: ManifestOptions): string {
  const documents: string[] = [];
  for (const route of routes) {
    documents.push(
      // Only the id goes into a comment: its pattern keeps a line break out.
      [`# route ${route.id}`, ...secretManifest(route, options.namespace)].join('\n'),
      providerManifest(route, options).join('\n'),
      alertManifest(route, options.namespace).join('\n'),
    );
  }
  return documents.map((document) => `---\n${document}\n`).join('');
}

/**
 * A route's URL from `cdk deploy --outputs-file`: `{ "<stack>": { "WebhookUrl<RouteId>": url } }`.
 * A route the file lacks (added since the deployment) is an error, not a guessed address.
 */
export function urlsFromOutputs(
  outputs: unknown,
  stackName: string,
  routes: readonly Route[],
  origin: string,
): Map<string, string> {
  const stack = (outputs as Record<string, unknown> | null)?.[stackName];
  if (typeof stack !== 'object' || stack === null) {
    throw new ConfigError(`${origin}: has no outputs of stack ${stackName}; deploy it with --outputs-file`);
  }
  const urls = new Map<string, string>();
  for (const route of routes) {
    const key = webhookUrlOutputName(route.id);
    const value = (stack as Record<string, unknown>)[key];
    if (typeof value !== 'string' || !/^https?:\/\//.test(value)) {
      throw new ConfigError(
        `${origin}: ${stackName}.${key} (route ${route.id}) is missing or not a URL; deploy the stack again`,
      );
    }
    urls.set(route.id, value);
  }
  return urls;
}

/** A route's URL below a base URL, as the stack's API and the local server serve it. */
export function urlBelow(base: string, routeId: string): string {
  return `${base.replace(/\/+$/, '')}/hooks/${routeId}`;
}
