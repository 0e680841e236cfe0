import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RouteInput } from '../../functions/config/route-schema.js';
import { eventOf, FIXTURES, sign } from './flux-fixtures.js';
import { apiEvent } from './relay-harness.js';

/**
 * A Flux-like stream of signed events, shared by the forge-call test and `npm run bench`: a fleet of
 * Kustomizations across clusters (one route per cluster), most events repeating a status already
 * written, the rest changing it. Deterministic for a seed, so its counts can be asserted.
 */
export type StreamEventKind = 'repeat' | 'new-commit' | 'error' | 'progressing';

/** The mix: 80 % repeats, 10 % new commits, 5 % errors, 5 % Progressing. */
export const FLUX_MIX: Readonly<Record<StreamEventKind, number>> = {
  repeat: 0.8,
  'new-commit': 0.1,
  error: 0.05,
  progressing: 0.05,
};

export interface FluxStreamOptions {
  events: number;
  kustomizations: number;
  clusters: readonly string[];
  seed: number;
  mix?: Readonly<Record<StreamEventKind, number>>;
  /** Repeats of verdicts only, as Flux re-sends them (the cost model); by default a Progressing repeats too. */
  resendVerdictsOnly?: boolean;
}

export interface StreamEvent {
  kind: StreamEventKind;
  /** The route id, which is also the cluster's name. */
  route: string;
  object: string;
  sha: string;
  /** The exact bytes Flux would send, and their `X-Signature` under the route's key. */
  body: Buffer;
  signature: string;
}

const STREAM_REPOSITORY = 'https://github.com/acme/fleet-infra';
const STREAM_FORGE_SECRET = 'flux-stream/github';
const FORGE_TOKEN = 'ghp_fluxStreamTokenForLoopbackFakesOnly0000';
const FIRST_EVENT_AT = Date.UTC(2026, 6, 14, 9, 0, 0);

const webhookSecretOf = (cluster: string) => `flux-stream/${cluster}/webhook`;
const webhookKeyOf = (cluster: string) => `generic-hmac-key-of-${cluster}`;

/** One route per cluster, all writing to one fleet repository on the forge at `apiUrl`. */
export function fluxStreamRoutes(apiUrl: string, clusters: readonly string[]): RouteInput[] {
  return clusters.map((cluster) => ({
    id: cluster,
    cluster,
    auth: { type: 'hmac', secret: webhookSecretOf(cluster) },
    provider: { type: 'github', address: STREAM_REPOSITORY, secret: STREAM_FORGE_SECRET, apiUrl },
  }));
}

/** The secret strings the routes name: one webhook key per cluster and one shared forge token. */
export function fluxStreamSecrets(clusters: readonly string[]): Map<string, string> {
  const secrets = new Map(
    clusters.map((cluster) => [webhookSecretOf(cluster), JSON.stringify({ token: webhookKeyOf(cluster) })]),
  );
  secrets.set(STREAM_FORGE_SECRET, JSON.stringify({ token: FORGE_TOKEN }));
  return secrets;
}

/** The event as API Gateway's HTTP API hands it to the Lambda. */
export function streamApiEvent(event: StreamEvent): APIGatewayProxyEventV2 {
  return apiEvent({
    route: event.route,
    body: event.body,
    headers: {
      'content-type': 'application/json',
      'gotk-component': 'kustomize-controller',
      'x-signature': event.signature,
    },
  });
}

/** Forge calls per event kind: this relay against Flux's own providers (which read before every write). */
export function expectedForgeCalls(events: readonly StreamEvent[]) {
  const changes = events.filter((event) => event.kind !== 'repeat');
  // The forge's own list is read only for an identity the ledger has not seen yet: after that, the
  // ledger knows what the forge shows, and a change is a write alone.
  const firsts = new Set(changes.map((event) => identityOf(event))).size;
  // A new commit of an object that settled before is a deployment with a range to read.
  const deployed = new Set<string>();
  let rangeReads = 0;
  for (const event of events) {
    if (event.kind !== 'new-commit') continue;
    if (deployed.has(event.object)) rangeReads++;
    deployed.add(event.object);
  }
  return {
    rangeReads,
    relay: { calls: changes.length + firsts, writes: changes.length },
    flux: { calls: events.length + changes.length, writes: changes.length },
  };
}

/** A status identity on the stream's one repository: the commit and the object's context. */
export function identityOf(event: StreamEvent): string {
  return `${event.sha} ${event.route} ${event.object}`;
}

/** mulberry32: a small seeded generator, so that a stream is the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface FleetObject {
  cluster: string;
  name: string;
  uid: string;
  sha: string;
  /** The kind of the last event that set this object's status; undefined until one did. */
  last: Exclude<StreamEventKind, 'repeat'> | undefined;
}

const FIXTURE_OF = {
  'new-commit': FIXTURES.reconciled,
  error: FIXTURES.healthCheckFailed,
  progressing: FIXTURES.progressing,
} as const;

/** The events in order; each Kustomization's first event is a new commit, since nothing repeats before it. */
export function fluxStream(options: FluxStreamOptions): StreamEvent[] {
  const next = random(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const hex = (length: number) => Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join('');
  const templates = Object.fromEntries(
    Object.entries(FIXTURE_OF).map(([kind, file]) => [kind, eventOf(file)]),
  ) as Record<keyof typeof FIXTURE_OF, Record<string, any>>;

  const fleet: FleetObject[] = options.clusters.flatMap((cluster) =>
    Array.from({ length: options.kustomizations }, (_, index) => ({
      cluster,
      name: `apps-${String(index + 1).padStart(2, '0')}`,
      uid: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
      sha: hex(40),
      last: undefined,
    })),
  );
  const unseen = shuffle([...fleet], next);
  const mix = options.mix ?? FLUX_MIX;
  const changes = (['new-commit', 'error', 'progressing'] as const).flatMap((kind) =>
    Array<StreamEventKind>(Math.round(options.events * mix[kind])).fill(kind),
  );
  // Exactly the mix's share of each kind, repeats taking the rounding, in a seeded order.
  const kinds = shuffle(
    [...changes, ...Array<StreamEventKind>(options.events - changes.length).fill('repeat')],
    next,
  );

  /** Objects a kind can apply to now: a repeat needs a status, a change needs a different one. */
  const candidates = (kind: StreamEventKind) =>
    fleet.filter(
      (object) =>
        object.last !== undefined &&
        (kind === 'repeat'
          ? !(options.resendVerdictsOnly && object.last === 'progressing')
          : object.last !== kind),
    );

  const stream: StreamEvent[] = [];
  for (let index = 0; index < kinds.length; index++) {
    let kind = kinds[index] as StreamEventKind;
    if (kind !== 'new-commit' && candidates(kind).length === 0) {
      // Too early for this kind: swap it with the next new commit, which always applies.
      const later = kinds.indexOf('new-commit', index + 1);
      if (later < 0) throw new Error('the stream mix leaves too few new commits to start from');
      kinds[later] = kind;
      kind = 'new-commit';
    }
    const object = kind === 'new-commit' ? (unseen.pop() ?? pick(fleet)) : pick(candidates(kind));
    if (kind === 'new-commit') object.sha = hex(40);
    if (kind !== 'repeat') object.last = kind;
    const shape = object.last as keyof typeof FIXTURE_OF;

    const event = structuredClone(templates[shape]);
    event.involvedObject.name = object.name;
    event.involvedObject.uid = object.uid;
    event.timestamp = new Date(FIRST_EVENT_AT + index * 1000).toISOString().replace('.000Z', 'Z');
    event.metadata.cluster = object.cluster;
    event.metadata.revision = `main@sha1:${object.sha}`;
    if (shape === 'new-commit') {
      // Real reconciliations differ in their duration; the status they carry stays the same.
      event.message = `Reconciliation finished in ${(1 + next()).toFixed(9)}s, next run in 10m0s`;
    }
    const body = Buffer.from(JSON.stringify(event));
    stream.push({
      kind,
      route: object.cluster,
      object: `${object.cluster}/${object.name}`,
      sha: object.sha,
      body,
      signature: sign(body, webhookKeyOf(object.cluster)),
    });
  }
  return stream;
}

/** Fisher-Yates with the stream's own generator. */
function shuffle<T>(items: T[], next: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
