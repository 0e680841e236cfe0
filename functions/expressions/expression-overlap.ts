import { parse } from '@bufbuild/cel';
import { contextPattern } from '../config/context-overlap.js';
import {
  type ConfigIssue,
  type ContextReader,
  contextIssues,
  environmentTemplate,
  type RouteView,
  routeTemplate,
  type ShownContext,
} from '../config/fleet-environments.js';
import type { Expr } from './cel-expression.js';
import { qualifiedName } from './cel-result-type.js';

/** A placeholder no config fixes and no Kubernetes field is: read as any text. */
const ANY = '{{expression}}';

const OBJECT_FIELDS: Readonly<Record<string, string>> = {
  'event.involvedObject.kind': '{{kind}}',
  'event.involvedObject.name': '{{name}}',
  'event.involvedObject.namespace': '{{namespace}}',
};

/**
 * An expression read as a context template, for the overlap checks: a chain of `+` keeps its string
 * literals and the fields the config fixes (`provider.metadata.uid`, `environment.name`) as text, an
 * object's kind, name or namespace as that field, and anything else (a function's result, the
 * event's message or metadata) as any text. So the check can only find more overlaps than there are.
 */
function asTemplate(expr: Expr | undefined, fixed: Readonly<Record<string, string>>): string {
  if (expr === undefined) return ANY;
  const kind = expr.exprKind;
  if (kind.case === 'constExpr' && kind.value.constantKind.case === 'stringValue') {
    const text = kind.value.constantKind.value;
    return text.includes('{') || text.includes('}') ? ANY : text;
  }
  if (kind.case === 'callExpr' && kind.value.function === '_+_' && kind.value.args.length === 2) {
    return kind.value.args.map((arg) => asTemplate(arg, fixed)).join('');
  }
  const name = qualifiedName(expr);
  if (name === undefined) return ANY;
  const value = fixed[name];
  if (value !== undefined) return value.includes('{') || value.includes('}') ? ANY : value;
  return OBJECT_FIELDS[name] ?? ANY;
}

function expressionContext(source: string, fixed: Readonly<Record<string, string>>): ShownContext {
  const template = asTemplate(parse(source).expr, fixed);
  return { field: 'commitStatusExpr', text: source, pattern: contextPattern(template, {}) };
}

function metadataOf(prefix: string, metadata: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries((metadata ?? {}) as Record<string, unknown>)
      .filter(([, value]) => typeof value === 'string')
      .map(([key, value]) => [`${prefix}.${key}`, value as string]),
  );
}

interface ExpressionView extends RouteView {
  commitStatusExpr?: unknown;
  provider?: RouteView['provider'] & { metadata?: unknown };
  alert?: { metadata?: unknown };
}

const WITH_EXPRESSIONS: ContextReader = {
  route(route) {
    const { commitStatusExpr, provider, alert } = route as ExpressionView;
    if (typeof commitStatusExpr !== 'string') return routeTemplate(route);
    return expressionContext(commitStatusExpr, {
      'provider.metadata.name': String(route.id),
      ...metadataOf('provider.metadata', provider?.metadata),
      ...metadataOf('alert.metadata', alert?.metadata),
      ...(typeof provider?.type === 'string' ? { 'provider.spec.type': provider.type } : {}),
      ...(typeof provider?.address === 'string' ? { 'provider.spec.address': provider.address } : {}),
    });
  },
  environment(name, value) {
    const { commitStatusExpr, provider } = (value ?? {}) as {
      commitStatusExpr?: unknown;
      provider?: { metadata?: unknown };
    };
    if (typeof commitStatusExpr !== 'string') return environmentTemplate(name, value);
    return expressionContext(commitStatusExpr, {
      'environment.name': name,
      'provider.metadata.name': name,
      ...metadataOf('provider.metadata', provider?.metadata),
    });
  },
};

/**
 * The overlap checks of the config (fleet-environments.ts) with the expressions read too, for a
 * config whose expressions compile: the config's own check has found the templates apart already.
 */
export function expressionOverlapIssues(
  routes: unknown[],
  environments: Record<string, unknown>,
): ConfigIssue[] {
  return contextIssues(routes, environments, WITH_EXPRESSIONS);
}
