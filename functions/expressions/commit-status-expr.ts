import type { CelInput } from '@bufbuild/cel';
import type { Route } from '../config/route-schema.js';
import { StatusExpressionError } from '../core/errors.js';
import type { FluxEvent } from '../core/flux-event.js';
import type { StatusName } from '../core/status-rules.js';
import { hasUnprintable } from '../core/template.js';
import {
  compileStringExpression,
  ExpressionEvaluationError,
  type StringExpression,
} from './cel-expression.js';

/** notification-controller's variables (internal/server/provider_commit_status.go), in its order. */
export const COMMIT_STATUS_VARIABLES = ['event', 'provider', 'alert'] as const;

/** GitHub's limit for a context, the smallest of the forges that state one. */
const NAME_LIMIT = 255;

/** A plain object without the keys whose value is undefined, as Kubernetes omits empty fields. */
export function present(fields: Record<string, CelInput | undefined>): Record<string, CelInput> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Record<
    string,
    CelInput
  >;
}

/**
 * The objects as Flux converts them to maps: the event after its metadata was combined (keys without
 * their group prefix), and the Provider and Alert this route stands for, with what the route says
 * of them. A field Flux would omit as empty is absent, so reading it is "no such key" here too.
 */
export function commitStatusVariables(
  event: FluxEvent,
  metadata: Readonly<Record<string, string>>,
  route: Route,
): Record<string, CelInput> {
  const providerMetadata = { name: route.id, ...route.provider.metadata };
  return {
    event: present({
      involvedObject: present({ ...event.involvedObject }),
      severity: event.severity,
      timestamp: event.timestamp,
      message: event.message,
      reason: event.reason,
      metadata: Object.keys(metadata).length === 0 ? undefined : { ...metadata },
      reportingController: event.reportingController,
      reportingInstance: event.reportingInstance,
    }),
    provider: {
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Provider',
      metadata: present(providerMetadata),
      spec: { type: route.provider.type, address: route.provider.address },
    },
    alert: {
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Alert',
      metadata: present({ ...route.alert?.metadata }),
    },
  };
}

/**
 * The expression's name for an event, or a StatusExpressionError (422) saying whose expression
 * failed and why: a failure, or a name no forge can show. Flux refuses such an event too.
 */
export function evaluateStatusName(
  expression: StringExpression,
  variables: Readonly<Record<string, CelInput>>,
  whose: string,
): string {
  let name: string;
  try {
    name = expression.evaluate(variables);
  } catch (error) {
    if (!(error instanceof ExpressionEvaluationError)) throw error;
    throw new StatusExpressionError(`${whose} commitStatusExpr failed on the event: ${error.message}`);
  }
  const problem =
    name.trim() === ''
      ? 'is empty'
      : hasUnprintable(name)
        ? 'has a control, bidirectional or other unprintable character'
        : Array.from(name).length > NAME_LIMIT
          ? `is longer than ${NAME_LIMIT} characters`
          : undefined;
  if (problem !== undefined) {
    throw new StatusExpressionError(`the status name from ${whose} commitStatusExpr ${problem}`);
  }
  return name;
}

/**
 * The route's `commitStatusExpr` as a status namer. Refused here (an ExpressionCompileError with the
 * position) when it does not compile; per event, see `evaluateStatusName`.
 */
export function compileCommitStatusExpr(route: Route, source: string): StatusName {
  const expression = compileStringExpression(source, COMMIT_STATUS_VARIABLES);
  return (event, metadata) =>
    evaluateStatusName(expression, commitStatusVariables(event, metadata, route), "this route's");
}
