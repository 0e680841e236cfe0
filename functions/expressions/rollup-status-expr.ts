import type { CelInput } from '@bufbuild/cel';
import type { FleetEnvironment } from '../config/fleet-environments.js';
import type { Route } from '../config/route-schema.js';
import type { FluxObject } from '../core/flux-object.js';
import { compileStringExpression, type Expr } from './cel-expression.js';
import { qualifiedName } from './cel-result-type.js';
import { evaluateStatusName, present } from './commit-status-expr.js';

/**
 * A roll-up's variables. It has no event of its own: it stands for every cluster's report of one
 * object, which share only the object, so `event` holds `involvedObject` alone; `alert` is not
 * declared (a roll-up has no Alert).
 */
export const ROLLUP_STATUS_VARIABLES = ['event', 'provider', 'environment'] as const;

/** What of `event` a roll-up expression may read: the fields every report of the object shares. */
const SHARED_EVENT_READS = new Set([
  'event.involvedObject',
  'event.involvedObject.kind',
  'event.involvedObject.name',
  'event.involvedObject.namespace',
]);

/**
 * A read of `event` beyond its `involvedObject` would name the roll-up after one cluster's report,
 * so that two clusters' reports of one object could split it into two roll-ups: refused at load.
 */
export function eventBeyondObject(expr: Expr | undefined): { id: bigint; problem: string } | undefined {
  if (expr === undefined) return undefined;
  const kind = expr.exprKind;
  const name = qualifiedName(expr);
  if (name !== undefined && (name === 'event' || name.startsWith('event.'))) {
    return SHARED_EVENT_READS.has(name)
      ? undefined
      : {
          id: expr.id,
          problem: `a roll-up reads only event.involvedObject (kind, name, namespace), which all its clusters' reports share; not '${name}'`,
        };
  }
  switch (kind.case) {
    case 'selectExpr':
      return eventBeyondObject(kind.value.operand);
    case 'callExpr':
      for (const arg of [kind.value.target, ...kind.value.args]) {
        const found = eventBeyondObject(arg);
        if (found !== undefined) return found;
      }
      return undefined;
    case 'listExpr':
      for (const element of kind.value.elements) {
        const found = eventBeyondObject(element);
        if (found !== undefined) return found;
      }
      return undefined;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        const key = entry.keyKind.case === 'mapKey' ? eventBeyondObject(entry.keyKind.value) : undefined;
        const found = key ?? eventBeyondObject(entry.value);
        if (found !== undefined) return found;
      }
      return undefined;
    case 'comprehensionExpr': {
      const c = kind.value;
      return (
        eventBeyondObject(c.iterRange) ??
        eventBeyondObject(c.accuInit) ??
        eventBeyondObject(c.loopCondition) ??
        eventBeyondObject(c.loopStep) ??
        eventBeyondObject(c.result)
      );
    }
    default:
      return undefined;
  }
}

/** The roll-up's Provider as the expression reads it: its repository, named by the environment. */
export function rollupProvider(
  name: string,
  environment: FleetEnvironment,
  route: Route,
): Record<string, CelInput> {
  return {
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Provider',
    metadata: present({ name, ...environment.provider?.metadata }),
    spec: { type: route.provider.type, address: route.provider.address },
  };
}

/** Names an environment's roll-up of an object. */
export type RollupStatusName = (object: FluxObject) => string;

/**
 * The environment's `commitStatusExpr` as its roll-ups' namer. Refused here when it does not compile
 * or reads what a roll-up does not have; per object, a failure or an unusable name is a
 * StatusExpressionError (422) before anything is written, as a route's expression is.
 */
export function compileRollupStatusExpr(
  name: string,
  environment: FleetEnvironment,
  route: Route,
  source: string,
): RollupStatusName {
  const expression = compileStringExpression(source, ROLLUP_STATUS_VARIABLES, eventBeyondObject);
  const provider = rollupProvider(name, environment, route);
  const shared = { provider, environment: { name } };
  return (object) =>
    evaluateStatusName(
      expression,
      {
        ...shared,
        event: {
          involvedObject: present({
            kind: object.kind,
            name: object.name,
            namespace: object.namespace === '' ? undefined : object.namespace,
          }),
        },
      },
      `environment "${name}"'s`,
    );
}
