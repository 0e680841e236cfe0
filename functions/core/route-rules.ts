import * as z from 'zod/mini';
import { FluxKindList } from './flux-kinds.js';
import { templateProblem } from './template.js';

export const DEFAULT_CONTEXT = '{{kind}}/{{name}}/{{cluster}}';

export const Template = (max: number) =>
  z.string().check(
    z.minLength(1),
    z.maxLength(max),
    z.refine((value) => templateProblem(value) === undefined, {
      message: 'placeholders are written {{name}} with letters, digits, "_", "." or "-"',
    }),
  );

export const NonEmptyList = z.array(z.string().check(z.minLength(1))).check(z.minLength(1));

/**
 * The part of a route that decides which status an event makes. The config's route schema is built
 * on it, so the rules are written once, and core reads them without knowing the rest of a route.
 */
export const ROUTE_RULES = {
  cluster: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  pending: z._default(z.boolean(), true),
  context: z._default(Template(255), DEFAULT_CONTEXT),
  /**
   * Flux's `spec.commitStatusExpr`: a CEL expression over `event`, `provider` and `alert` whose string
   * is the status name, in place of `context` (functions/expressions/).
   */
  commitStatusExpr: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  targetUrl: z.optional(Template(2048)),
  events: z.optional(
    z.strictObject({
      kinds: z.optional(FluxKindList),
      names: z.optional(NonEmptyList),
      namespaces: z.optional(NonEmptyList),
      severities: z.optional(z.array(z.enum(['info', 'error'])).check(z.minLength(1))),
    }),
  ),
};

const RouteRulesSchema = z.object({ id: z.string(), ...ROUTE_RULES });

/** A route as the status rules see it: its id and the fields above. */
export type RouteRules = z.infer<typeof RouteRulesSchema>;
