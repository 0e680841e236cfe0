import * as z from 'zod/mini';
import { parseDuration } from '../core/duration.js';
import { ROUTE_RULES } from '../core/route-rules.js';
import {
  FORGE_OPTIONS,
  FORGE_TYPES,
  FORGES,
  forgeCan,
  forgesThatCan,
  forgesWithOption,
  parseProviderAddress,
} from '../forges/registry.js';
import { ObjectMetadataSchema, SecretName } from './config-fields.js';
import { WebhookSecretSchema } from './webhook-secret.js';

/** API Gateway throttling: requests per second, and the burst taken above that rate. */
export const ThrottleSchema = z.strictObject({
  rateLimit: z.number().check(z.positive()),
  burstLimit: z.int().check(z.positive()),
});

/** From a minute to a week: the ledger keeps what it resolves for 30 days. */
const PendingTimeout = z.union([
  z.literal(false),
  z.string().check(
    z.refine(
      (text) => {
        const ms = parseDuration(text);
        return ms !== undefined && ms >= 60_000 && ms <= 7 * 24 * 3600_000;
      },
      { message: 'must be false or a duration from 1m to 168h, such as "30m" or "1h30m"' },
    ),
  ),
]);

const ProviderSchema = z.strictObject({
  type: z.enum(FORGE_TYPES),
  /** The Flux Provider this route replaces, so that `commitStatusExpr` gives the names Flux gave. */
  metadata: z.optional(ObjectMetadataSchema),
  address: z.string().check(z.minLength(1), z.maxLength(2048)),
  secret: z.optional(SecretName),
  apiUrl: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  /** Each forge's own fields (`failureState` for Azure DevOps), checked below against its type. */
  ...FORGE_OPTIONS,
});

/**
 * A route's pending statuses are kept under `pending|<route id>|…`; the roll-ups' under
 * `pending|rollup|…` (functions/pending/rollup-pending-key.ts). A route named so would have its
 * pendings swept as roll-ups and never resolved.
 */
export const RESERVED_ROUTE_IDS: readonly string[] = ['rollup'];

export const RouteSchema = z
  .strictObject({
    id: z.string().check(
      z.regex(
        /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
        'must be 1-63 characters of a-z, 0-9 and "-", starting and ending with a letter or digit',
      ),
      z.refine((id) => !RESERVED_ROUTE_IDS.includes(id), {
        error: (issue) => `"${String(issue.input)}" is reserved: the service's own keys begin with it`,
      }),
    ),
    ...ROUTE_RULES,
    /** Point the status at its details page (`GET /details/<token>`), unless `targetUrl` is set. */
    detailsPage: z._default(z.boolean(), false),
    /** The fleet environment (a key of `environments`) whose roll-up this cluster reports to. */
    environment: z.optional(z.string().check(z.minLength(1), z.maxLength(63))),
    /** False: only the environment's roll-up is written, not this cluster's own statuses. */
    clusterStatuses: z._default(z.boolean(), true),
    auth: z.strictObject({
      type: z._default(z.enum(['hmac', 'bearer']), 'hmac'),
      /**
       * Several keys may be valid at once, so that a key can be rotated without a gap; each is a
       * secret's `token` or a named key of a shared secret (webhook-secret.ts).
       */
      secret: z.union([
        WebhookSecretSchema,
        z.array(WebhookSecretSchema).check(z.minLength(1), z.maxLength(5)),
      ]),
    }),
    provider: ProviderSchema,
    /** The Flux Alert this route replaces, as `commitStatusExpr` reads it (`alert.metadata.name`). */
    alert: z.optional(z.strictObject({ metadata: ObjectMetadataSchema })),
    /**
     * One comment per change request and object (Flux 2.8's pull/merge request comment providers),
     * for the events of objects annotated `event.toolkit.fluxcd.io/change_request: "<number>"`,
     * edited in event order up to the final verdict. GitHub, GitLab and Gitea.
     */
    changeRequestComments: z._default(z.boolean(), false),
    dryRun: z._default(z.boolean(), false),
    /**
     * When an object's verdict lands on a commit, a status for each commit since the last one it
     * settled on that got no event of its own ("deployed with <sha7>"; functions/ranges/).
     */
    rangeStatuses: z._default(z.boolean(), true),
    /** At most this many such commits per deployment, newest first; GitHub's compare lists 250. */
    rangeLimit: z._default(z.int().check(z.gte(1), z.lte(250)), 50),
    /**
     * How long a pending status waits for its verdict before the sweep writes `error` saying none
     * came (functions/pending/); false leaves it pending.
     */
    pendingTimeout: z._default(PendingTimeout, '30m'),
    /**
     * This route's own throttle at API Gateway, so that a flood on one route never throttles another.
     * Read by the stack only; `deployment.throttle` when absent.
     */
    throttle: z.optional(ThrottleSchema),
    /** Refuse events older than this, to blunt replays of captured requests. Off by default. */
    maxEventAgeSeconds: z.optional(z.int().check(z.gte(60), z.lte(7 * 24 * 3600))),
    /** Refuse events stamped further ahead of this function's clock: they would outrank real ones. */
    maxClockSkewSeconds: z._default(z.int().check(z.gte(1), z.lte(3600)), 300),
  })
  .check(
    z.superRefine((route, ctx) => {
      try {
        parseProviderAddress(route.provider.type, route.provider.address, route.provider.apiUrl);
      } catch (error) {
        ctx.issues.push({
          code: 'custom',
          input: route.provider.address,
          path: ['provider', 'address'],
          message: (error as Error).message,
        });
      }
      for (const field of Object.keys(FORGE_OPTIONS)) {
        const value = (route.provider as Record<string, unknown>)[field];
        if (value === undefined || Object.hasOwn(FORGES[route.provider.type].options, field)) continue;
        ctx.issues.push({
          code: 'custom',
          input: value,
          path: ['provider', field],
          message: `is only for ${forgesWithOption(field).join(', ')} routes`,
        });
      }
      if (route.changeRequestComments && !forgeCan(route.provider.type, 'changeRequestComments')) {
        ctx.issues.push({
          code: 'custom',
          input: true,
          path: ['changeRequestComments'],
          message: `is only for ${forgesThatCan('changeRequestComments').join(', ')} routes`,
        });
      }
      if (!route.dryRun && route.provider.secret === undefined) {
        ctx.issues.push({
          code: 'custom',
          input: route.provider,
          path: ['provider', 'secret'],
          message: 'is required unless the route is a dryRun',
        });
      }
    }),
  );

export type Route = z.infer<typeof RouteSchema>;
export type RouteInput = z.input<typeof RouteSchema>;
