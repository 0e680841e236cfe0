import { isIP } from 'node:net';
import * as z from 'zod/mini';
import { FluxKindList } from '../core/flux-kinds.js';
import { DEFAULT_CONTEXT, NonEmptyList, ROUTE_RULES, Template } from '../core/route-rules.js';
import { isPublicAddress } from '../forges/http/public-fetch.js';
import { forgeCan, forgesThatCan } from '../forges/registry.js';
import { ObjectMetadataSchema, SecretName } from './config-fields.js';
import { contextPattern, type Pattern, patternsOverlap } from './context-overlap.js';

/**
 * A fleet environment: a group of clusters (routes) inside one config file that share one roll-up
 * status per commit and object. Not to be confused with the stack's environment (`-c env=prod`,
 * one config file): a `prod` config file may hold the environments `staging` and `production`.
 */
export const DEFAULT_ROLLUP_CONTEXT = 'flux/{{environment}}/{{kind}}/{{name}}';

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
  /**
   * The roll-up's status name; `{{environment}}`, `{{kind}}`, `{{name}}`, `{{namespace}}`. Lower-cased.
   * DEFAULT_ROLLUP_CONTEXT when absent (not a schema default: the config refuses it beside
   * `commitStatusExpr`, which it could not tell from a default).
   */
  context: z.optional(Template(255)),
  /**
   * A CEL expression in place of `context`, over `event` (only `involvedObject`: what every cluster's
   * report of the object shares), `provider` and `environment` (functions/expressions/).
   */
  commitStatusExpr: ROUTE_RULES.commitStatusExpr,
  /** The Provider `commitStatusExpr` reads as `provider.metadata`; `name` is the environment's otherwise. */
  provider: z.optional(z.strictObject({ metadata: ObjectMetadataSchema })),
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
  /**
   * The roll-up's verdict as a comment on the change request of an object annotated
   * `change_request` (GitHub, GitLab, Gitea): one per change request, object and environment.
   */
  changeRequestComments: z.optional(z.boolean()),
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
export interface RouteView {
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
    const own = (value ?? {}) as { context?: unknown; commitStatusExpr?: unknown };
    if (own.context !== undefined && own.commitStatusExpr !== undefined) {
      issues.push({
        path: ['environments', name, 'context'],
        message: 'set either context or commitStatusExpr: the expression names the roll-up in its place',
      });
    }
    const deployments = (value as { deployments?: unknown } | null)?.deployments;
    if (
      deployments !== undefined &&
      deployments !== false &&
      !forgeCan(first.route.provider?.type, 'deployments')
    ) {
      issues.push({
        path: ['environments', name, 'deployments'],
        message: 'GitHub Deployments need GitHub routes',
      });
    }
    const comments = (value as { changeRequestComments?: unknown } | null)?.changeRequestComments;
    if (comments === true && !forgeCan(first.route.provider?.type, 'changeRequestComments')) {
      issues.push({
        path: ['environments', name, 'changeRequestComments'],
        message: `is only for environments of ${forgesThatCan('changeRequestComments').join(', ')} routes`,
      });
    }
    const promotion = (value as { promotion?: { type?: unknown } } | null)?.promotion;
    if (
      promotion?.type === 'repository_dispatch' &&
      !forgeCan(first.route.provider?.type, 'repositoryDispatch')
    ) {
      issues.push({
        path: ['environments', name, 'promotion', 'type'],
        message: 'repository_dispatch needs GitHub routes; use "webhook" for another forge',
      });
    }
  }
  issues.push(...contextIssues(routes, environments, TEMPLATE_CONTEXTS));
  return issues;
}

/** A status name as the overlap checks read it: the field that sets it, its text and its pattern. */
export interface ShownContext {
  field: 'context' | 'commitStatusExpr';
  text: string;
  pattern: Pattern;
}

/**
 * How the overlap checks read each route's and environment's status name; undefined leaves it out.
 * The config's own check reads the templates only: an expression is read where the CEL parser is
 * loaded (functions/expressions/expression-overlap.ts), once the rest of the file is valid.
 */
export interface ContextReader {
  route(route: RouteView): ShownContext | undefined;
  environment(name: string, value: unknown): ShownContext | undefined;
}

/** The context template of a route, for the overlap checks. */
export function routeTemplate(route: RouteView): ShownContext {
  const text = typeof route.context === 'string' ? route.context : DEFAULT_CONTEXT;
  const fixed = { cluster: String(route.cluster ?? route.id), route: String(route.id) };
  return { field: 'context', text, pattern: contextPattern(text, fixed) };
}

/** The roll-up context template of an environment, for the overlap checks. */
export function environmentTemplate(name: string, value: unknown): ShownContext {
  const context = (value as { context?: unknown } | null)?.context;
  const text = typeof context === 'string' ? context : DEFAULT_ROLLUP_CONTEXT;
  return { field: 'context', text, pattern: contextPattern(text, { environment: name }) };
}

const hasExpression = (value: unknown) =>
  typeof (value as { commitStatusExpr?: unknown } | null)?.commitStatusExpr === 'string';

const TEMPLATE_CONTEXTS: ContextReader = {
  route: (route) => (hasExpression(route) ? undefined : routeTemplate(route)),
  environment: (name, value) => (hasExpression(value) ? undefined : environmentTemplate(name, value)),
};

function repositoryOf(route: RouteView | undefined): string {
  const { type, address, apiUrl } = route?.provider ?? {};
  return JSON.stringify([type, address, apiUrl]);
}

/**
 * A roll-up is one status of its repository: a route of that repository whose context could render
 * the roll-up's context would write over it (literally, or through the event metadata an Alert
 * sets), and two environments of one repository whose contexts can render alike would write over
 * each other. Both are refused, each at the field to change.
 */
export function contextIssues(routes: unknown[], environments: Record<string, unknown>, read: ContextReader) {
  const issues: ConfigIssue[] = [];
  const repositories = new Map<string, string>();
  for (const value of routes) {
    const route = (value ?? {}) as RouteView;
    if (typeof route.environment === 'string' && !repositories.has(route.environment)) {
      repositories.set(route.environment, repositoryOf(route));
    }
  }
  const rollups = Object.entries(environments).flatMap(([name, value]) => {
    const repository = repositories.get(name);
    const shown = read.environment(name, value);
    return repository === undefined || shown === undefined ? [] : [{ name, repository, ...shown }];
  });
  routes.forEach((value, index) => {
    const route = (value ?? {}) as RouteView;
    if (route.clusterStatuses === false) return;
    const shown = read.route(route);
    if (shown === undefined) return;
    for (const rollup of rollups) {
      if (rollup.repository !== repositoryOf(route) || !patternsOverlap(shown.pattern, rollup.pattern))
        continue;
      issues.push({
        path: ['routes', index, shown.field],
        message: `"${shown.text}" can render the roll-up context of environment "${rollup.name}" ("${rollup.text}"), and would write over its check; make them differ in a fixed part`,
      });
    }
  });
  rollups.forEach((rollup, index) => {
    for (const other of rollups.slice(0, index)) {
      if (other.repository !== rollup.repository || !patternsOverlap(rollup.pattern, other.pattern)) continue;
      issues.push({
        path: ['environments', rollup.name, rollup.field],
        message: `"${rollup.text}" can render alike with environment "${other.name}"'s ("${other.text}"); each roll-up needs a context of its own, such as one with {{environment}}`,
      });
    }
  });
  return issues;
}
