import { type CelEnv, type CelInput, celEnv, celType, isCelError, parse, plan } from '@bufbuild/cel';
import { FLUX_CEL_FUNCS } from './cel-library.js';
import { inferResultType, qualifiedName } from './cel-result-type.js';

type ParsedExpr = ReturnType<typeof parse>;
export type Expr = NonNullable<ParsedExpr['expr']>;

/** Why an expression cannot be used, with its place in the text (line:column, from 1). */
export class ExpressionCompileError extends Error {
  override readonly name = 'ExpressionCompileError';
}

/** The expression ran and failed, or gave something else than the string asked for. */
export class ExpressionEvaluationError extends Error {
  override readonly name = 'ExpressionEvaluationError';
}

/** Type names are identifiers too in CEL (`type(x) == string`). */
const TYPE_NAMES = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'dyn',
]);

function place(source: string, offset: number): string {
  const before = source.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

/**
 * What cel-go's checker refuses at compile time and @bufbuild/cel only finds while evaluating: an
 * undeclared variable and an unknown function. Flux compiles its expressions (WithCompile), so
 * such an expression never runs there; here it is refused when the config is loaded.
 */
function undeclared(
  env: CelEnv,
  parsed: ParsedExpr,
  variables: ReadonlySet<string>,
): { id: bigint; problem: string } | undefined {
  const known = (name: string) => env.funcs.find(name) !== undefined;
  const visit = (
    expr: Expr | undefined,
    scope: ReadonlySet<string>,
  ): { id: bigint; problem: string } | undefined => {
    if (expr === undefined) return undefined;
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'identExpr':
        return scope.has(kind.value.name) || TYPE_NAMES.has(kind.value.name)
          ? undefined
          : { id: expr.id, problem: `undeclared reference to '${kind.value.name}'` };
      case 'selectExpr':
        return visit(kind.value.operand, scope);
      case 'callExpr': {
        const { function: name, target, args } = kind.value;
        const qualified = target === undefined ? undefined : qualifiedName(target);
        const namespaced =
          qualified !== undefined &&
          !scope.has(qualified.split('.')[0] as string) &&
          known(`${qualified}.${name}`);
        if (!namespaced && /^[A-Za-z]/.test(name) && !known(name)) {
          return { id: expr.id, problem: `undeclared reference to '${name}'` };
        }
        for (const arg of namespaced ? args : [target, ...args]) {
          const found = visit(arg, scope);
          if (found !== undefined) return found;
        }
        return undefined;
      }
      case 'listExpr':
        for (const element of kind.value.elements) {
          const found = visit(element, scope);
          if (found !== undefined) return found;
        }
        return undefined;
      case 'structExpr':
        for (const entry of kind.value.entries) {
          const key = entry.keyKind.case === 'mapKey' ? visit(entry.keyKind.value, scope) : undefined;
          const found = key ?? visit(entry.value, scope);
          if (found !== undefined) return found;
        }
        return undefined;
      case 'comprehensionExpr': {
        const c = kind.value;
        const inner = new Set([...scope, c.iterVar, c.accuVar, ...(c.iterVar2 === '' ? [] : [c.iterVar2])]);
        return (
          visit(c.iterRange, scope) ??
          visit(c.accuInit, scope) ??
          visit(c.loopCondition, inner) ??
          visit(c.loopStep, inner) ??
          visit(c.result, inner)
        );
      }
      default:
        return undefined;
    }
  };
  return visit(parsed.expr, variables);
}

export interface StringExpression {
  readonly source: string;
  /** The expression's string for these variables, or an ExpressionEvaluationError. */
  evaluate(variables: Readonly<Record<string, CelInput>>): string;
}

/**
 * Compiles an expression over struct variables that must give a string, in Flux's environment
 * (fluxcd/pkg runtime/cel: strings, sets, encoders, optional types). A syntax error, an undeclared
 * variable, an unknown function, a call no overload fits and a result whose type is known not to be
 * a string are refused here, each with its position; what depends on the event is checked per event.
 */
export function compileStringExpression(
  source: string,
  variables: readonly string[],
  restrict?: (expr: Expr) => { id: bigint; problem: string } | undefined,
): StringExpression {
  const env = celEnv({ funcs: [...FLUX_CEL_FUNCS] });
  let parsed: ParsedExpr;
  try {
    parsed = parse(source);
  } catch (error) {
    const { rawMessage, location } = error as {
      rawMessage?: string;
      location?: { start: { offset: number } };
    };
    const at = location === undefined ? '' : `${place(source, location.start.offset)}: `;
    throw new ExpressionCompileError(`${at}syntax error: ${rawMessage ?? (error as Error).message}`);
  }
  const at = (id: bigint) => place(source, parsed.sourceInfo?.positions[id.toString()] ?? 0);
  const found = undeclared(env, parsed, new Set(variables));
  if (found !== undefined) {
    throw new ExpressionCompileError(`${at(found.id)}: ${found.problem} (declared: ${variables.join(', ')})`);
  }
  const restricted = parsed.expr === undefined ? undefined : restrict?.(parsed.expr);
  if (restricted !== undefined)
    throw new ExpressionCompileError(`${at(restricted.id)}: ${restricted.problem}`);
  if (parsed.expr !== undefined) {
    const inferred = inferResultType(env, parsed.expr, new Set(variables));
    if ('problem' in inferred) throw new ExpressionCompileError(`${at(inferred.id)}: ${inferred.problem}`);
    if (inferred.type !== 'dyn' && inferred.type !== 'string') {
      throw new ExpressionCompileError(
        `${at(parsed.expr.id)}: the result's type is ${inferred.type}, not string`,
      );
    }
  }
  const program = plan(env, parsed);
  return {
    source,
    evaluate(bindings) {
      const result = program(bindings);
      if (isCelError(result)) throw new ExpressionEvaluationError(result.message);
      if (typeof result !== 'string') {
        throw new ExpressionEvaluationError(`the result is a ${celType(result).name}, not a string`);
      }
      return result;
    },
  };
}
