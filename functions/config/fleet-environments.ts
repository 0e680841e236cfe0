import { isIP } from 'node:net';
import * as z from 'zod/mini';
import { FluxKindList } from '../core/flux-kinds.js';
import { DEFAULT_CONTEXT, NonEmptyList, Template } from '../core/route-rules.js';
import { isPublicAddress } from '../forges/http/public-fetch.js';
import { SecretName } from './config-fields.js';
import { contextPattern, patternsOverlap } from './context-overlap.js';

/**
 * A fleet environment: a group of clusters (routes) inside one config file that share one roll-up
 * status per commit and object. Not to be confused with the stack's environment (`-c env=prod`,
 * one config file): a `prod` config file may hold the environments `staging` and `production`.
 */
const DEFAULT_ROLLUP_CONTEXT = 'flux/{{environment}}/{{kind}}/{{name}}';

export const ENVIRONMENT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const RepositoryDispatchSchema = z.strictObject({
  type: z.literal('repository_dispatch'),
  /** GitHub's `event_type`: what an Actions workflow's `on.repository_dispatch.types` names. */
  eventType: z.string().check(z.minLength(1), z.maxLength(100)),
});

/**
 * The receiver of a signed promotion: https, and a host that is not this machine, a private
 * network or the metadata service. Names are resolved again at each send (`publicHttpsFetch`).
 */
function isPublicHttpsUrl(text: string): boolean {
  if (!/^https:\/\/[^\s]+$/.test(text) || !URL.canParse(text)) return false;
  const host = new URL(text).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return false;
  return isIP(host) === 0 || isPublicAddress(host);
}

const SignedWebhookSchema = z.strictObject({
  type: z.literal('webhook'),
  url: z
    .string()
    .check(
      z.maxLength(2048),
      z.refine(
        isPublicHttpsUrl,
        'must be an https URL of a public host (not loopback, private or link-local)',
      ),
    ),
  /** Its `token` keys the HMAC-SHA256 of the body, sent as `X-Signature: sha256=<hex>`. */
  secret: SecretName,
});

const PromotionSchema = z.discriminatedUnion('type', [RepositoryDispatchSchema, SignedWebhookSchema]);
export type Promotion = z.infer<typeof PromotionSchema>;

const FleetEnvironmentSchema = z.strictObject({
  /** The roll-up's status name; `{{environment}}`, `{{kind}}`, `{{name}}`, `{{namespace}}`. Lower-cased. */
  context: z._default(Template(255), DEFAULT_ROLLUP_CONTEXT),
  /**
   * The description counts the clusters (`4/5 clusters reconciled, 1 failing (…)`); false says only
   * the state and the failing clusters, so the roll-up is written once per state, not per cluster.
   * True when absent.
   */
  counts: z.optional(z.boolean()),
  /** Which objects have a roll-up; every object of the environment's events when absent. */
  objects: z.optional(
    z.strictObject({
      kinds: z.optional(FluxKindList),
      names: z.optional(NonEmptyList),
      namespaces: z.optional(NonEmptyList),
    }),
  ),
  /**
   * GitHub Deployments: one per commit and environment, its status from the roll-ups. `true` takes
   * the defaults. The URL templates know `{{environment}}`, `{{sha}}` and `{{ref}}`.
   */
  deployments: z.optional(
    z.union([
      z.boolean(),
      z.strictObject({
        environmentUrl: z.optional(Template(2048)),
        logUrl: z.optional(Template(2048)),
        /** GitHub marks this environment's earlier successful deployments inactive. */
        autoInactive: z._default(z.boolean(), true),
        productionEnvironment: z.optional(z.boolean()),
      }),
    ]),
  ),
  /** Sent once per commit and object, when the roll-up turns success. */
  promotion: z.optional(PromotionSchema),
  /**
   * When a roll-up turns final on a commit, a status on the roll-up's context for each commit since
   * the one the environment's roll-up last settled on ("deployed with <sha7>"; functions/ranges/).
   * True when absent.
   */
  rangeStatuses: z.optional(z.boolean()),
  /** At most this many such commits per roll-up, newest first (50 when absent); GitHub's compare lists 250. */
  rangeLimit: z.optional(z.int().check(z.gte(1), z.lte(250))),
});

export type FleetEnvironment = z.infer<typeof FleetEnvironmentSchema>;

export interface DeploymentSettings {
  environmentUrl?: string;
  logUrl?: string;
  autoInactive: boolean;
  productionEnvironment?: boolean;
}

/** The environment's Deployments settings, or undefined when it has none. */
export function deploymentSettings(environment: FleetEnvironment): DeploymentSettings | undefined {
  const { deployments } = environment;
  if (deployments === undefined || deployments === false) return undefined;
  return deployments === true ? { autoInactive: true } : deployments;
}

/** The environment's bound on a roll-up's range, or undefined when its ranges are off. */
export function rangeLimitOf(environment: FleetEnvironment): number | undefined {
  return environment.rangeStatuses === false ? undefined : (environment.rangeLimit ?? DEFAULT_RANGE_LIMIT);
}

const DEFAULT_RANGE_LIMIT = 50;

/** Names are checked with the routes (`environmentIssues`), where the message can say what is wrong. */
export const FleetEnvironmentsSchema = z.record(z.string(), FleetEnvironmentSchema);

/** The secrets the environments' promotion webhooks sign with: the function reads them too. */
export function promotionSecretsOf(environments: Readonly<Record<string, FleetEnvironment>>): string[] {
  return Object.values(environments).flatMap((environment) =>
    environment.promotion?.type === 'webhook' ? [environment.promotion.secret] : [],
  );
}

/** What the cross-checks read of a route; typed loosely, as they run beside the routes' own checks. */
interface RouteView {
  id?: unknown;
  cluster?: unknown;
  context?: unknown;
  environment?: unknown;
  clusterStatuses?: unknown;
  provider?: { type?: unknown; address?: unknown; apiUrl?: unknown };
}

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

/**
 * The rules that tie routes to environments: a route names a defined environment; an environment
 * has a cluster, names each cluster once, and writes to one repository (its roll-up is one status
 * there); a repository_dispatch needs GitHub.
 */
export function environmentIssues(routes: unknown[], environments: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const members = new Map<string, { index: number; route: RouteView }[]>();
  routes.forEach((value, index) => {
    const route = (value ?? {}) as RouteView;
    if (route.environment === undefined) {
      if (route.clusterStatuses === false) {
        issues.push({
          path: ['routes', index, 'clusterStatuses'],
          message: 'may be false only on a route with an environment (its roll-up is then its only status)',
        });
      }
      return;
    }
    if (typeof route.environment !== 'string') return;
    if (!Object.hasOwn(environments, route.environment)) {
      const known = Object.keys(environments);
      issues.push({
        path: ['routes', index, 'environment'],
        message: `names no environment of "environments" (${known.length === 0 ? 'there are none' : known.join(', ')})`,
      });
      return;
    }
    members.set(route.environment, [...(members.get(route.environment) ?? []), { index, route }]);
  });
  for (const [name, value] of Object.entries(environments)) {
    if (!ENVIRONMENT_NAME.test(name)) {
      issues.push({
        path: ['environments', name],
        message: 'an environment name must be 1-63 characters of a-z, 0-9 and "-"',
      });
    }
    const group = members.get(name) ?? [];
    if (group.length === 0) {
      issues.push({ path: ['environments', name], message: 'no route names this environment' });
      continue;
    }
    const first = group[0] as { index: number; route: RouteView };
    const clusters = new Set<string>();
    for (const { index, route } of group) {
      const cluster = String(route.cluster ?? route.id);
      if (clusters.has(cluster)) {
        issues.push({
          path: ['routes', index, 'cluster'],
          message: `cluster "${cluster}" is already in environment "${name}"`,
        });
      }
      clusters.add(cluster);
      const same = ['type', 'address', 'apiUrl'].every(
        (field) => route.provider?.[field as 'type'] === first.route.provider?.[field as 'type'],
      );
      if (!same) {
        issues.push({
          path: ['routes', index, 'provider'],
          message: `must name the same repository as route "${String(first.route.id)}": environment "${name}" has one roll-up status per commit`,
        });
      }
    }
    const deployments = (value as { deployments?: unknown } | null)?.deployments;
    if (deployments !== undefined && deployments !== false && first.route.provider?.type !== 'github') {
      issues.push({
        path: ['environments', name, 'deployments'],
        message: 'GitHub Deployments need GitHub routes',
      });
    }
    const promotion = (value as { promotion?: { type?: unknown } } | null)?.promotion;
    if (promotion?.type === 'repository_dispatch' && first.route.provider?.type !== 'github') {
      issues.push({
        path: ['environments', name, 'promotion', 'type'],
        message: 'repository_dispatch needs GitHub routes; use "webhook" for another forge',
      });
    }
  }
  issues.push(...contextIssues(routes, environments, members));
  return issues;
}

function contextOf(value: unknown): string {
  const context = (value as { context?: unknown } | null)?.context;
  return typeof context === 'string' ? context : DEFAULT_ROLLUP_CONTEXT;
}

function repositoryOf(route: RouteView | undefined): string {
  const { type, address, apiUrl } = route?.provider ?? {};
  return JSON.stringify([type, address, apiUrl]);
}

/**
 * A roll-up is one status of its repository: a route of that repository whose context template
 * could render the roll-up's context would write over it (literally, or through the event metadata
 * an Alert sets), and two environments of one repository whose contexts can render alike would
 * write over each other. Both are refused, each at the field to change.
 */
function contextIssues(
  routes: unknown[],
  environments: Record<string, unknown>,
  members: Map<string, { index: number; route: RouteView }[]>,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const rollups = Object.entries(environments)
    .filter(([name]) => (members.get(name) ?? []).length > 0)
    .map(([name, value]) => {
      const context = contextOf(value);
      const repository = repositoryOf(members.get(name)?.[0]?.route);
      return { name, context, repository, pattern: contextPattern(context, { environment: name }) };
    });
  routes.forEach((value, index) => {
    const route = (value ?? {}) as RouteView;
    if (route.clusterStatuses === false) return;
    const template = typeof route.context === 'string' ? route.context : DEFAULT_CONTEXT;
    const fixed = { cluster: String(route.cluster ?? route.id), route: String(route.id) };
    const pattern = contextPattern(template, fixed);
    for (const rollup of rollups) {
      if (rollup.repository !== repositoryOf(route) || !patternsOverlap(pattern, rollup.pattern)) continue;
      issues.push({
        path: ['routes', index, 'context'],
        message: `"${template}" can render the roll-up context of environment "${rollup.name}" ("${rollup.context}"), and would write over its check; make them differ in a fixed part`,
      });
    }
  });
  rollups.forEach((rollup, index) => {
    for (const other of rollups.slice(0, index)) {
      if (other.repository !== rollup.repository || !patternsOverlap(rollup.pattern, other.pattern)) continue;
      issues.push({
        path: ['environments', rollup.name, 'context'],
        message: `"${rollup.context}" can render alike with environment "${other.name}"'s ("${other.context}"); each roll-up needs a context of its own, such as one with {{environment}}`,
      });
    }
  });
  return issues;
}
