import type { CelEnv, CelType, parse } from '@bufbuild/cel';

type Expr = NonNullable<ReturnType<typeof parse>['expr']>;

/**
 * A type name as CEL prints it (`string`, `bool`, `list`, `map` ...), or `dyn` when it is only known
 * per event. `optional` stands for cel-go's `optional_type`, which the library here carries as a map.
 */
export type InferredType = string;

const DYN = 'dyn';

/**
 * Flux's optional-types functions: cel-go types their result `optional_type(T)`, never a string, so
 * an expression that forgets `.value()` is refused at load as Flux's checker refuses it.
 */
const OPTIONAL_RESULTS = new Set([
  'first',
  'last',
  'or',
  'optional.of',
  'optional.none',
  'optional.ofNonZeroValue',
]);

const BOOLEAN_OPERATORS = new Set(['_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);

/** A found type error: the expression's node and what is wrong. */
export interface TypeProblem {
  readonly id: bigint;
  readonly problem: string;
}

function constantType(kind: string): InferredType {
  switch (kind) {
    case 'boolValue':
      return 'bool';
    case 'bytesValue':
      return 'bytes';
    case 'doubleValue':
      return 'double';
    case 'int64Value':
      return 'int';
    case 'uint64Value':
      return 'uint';
    case 'nullValue':
      return 'null_type';
    case 'stringValue':
      return 'string';
    default:
      return DYN;
  }
}

const accepts = (declared: CelType, known: InferredType) =>
  declared.name === DYN || known === DYN || declared.name === known;

/**
 * The static result type of a parsed expression whose variables are `dyn` (Flux converts the event,
 * the Provider and the Alert to maps, so a field read from them is `dyn` too). @bufbuild/cel has
 * no public checker (its own covers constants and identifiers only), so this one infers what the
 * declarations fix: literals, the operators and each function's overloads in the environment (a
 * type is known when every overload that fits the arguments gives the same one). A call none of
 * whose overloads fits arguments of known types is a TypeProblem, as cel-go's "found no matching
 * overload". Whatever depends on an event's value is `dyn`, checked per event.
 */
export function inferResultType(
  env: CelEnv,
  root: Expr,
  variables: ReadonlySet<string>,
): { type: InferredType } | TypeProblem {
  let problem: TypeProblem | undefined;
  const fail = (id: bigint, text: string): InferredType => {
    problem ??= { id, problem: text };
    return DYN;
  };

  const call = (
    id: bigint,
    name: string,
    target: InferredType | undefined,
    args: readonly InferredType[],
  ): InferredType => {
    if (OPTIONAL_RESULTS.has(name)) return 'optional';
    const group = env.funcs.find(name);
    if (group === undefined) return DYN;
    const shaped = [...group].filter(
      (f) => (f.target === undefined) === (target === undefined) && f.arguments.length === args.length,
    );
    const fitting = shaped.filter(
      (f) =>
        (target === undefined || f.target === undefined || accepts(f.target, target)) &&
        f.arguments.every((declared, index) => accepts(declared, args[index] as InferredType)),
    );
    const operands = target === undefined ? args : [target, ...args];
    if (shaped.length > 0 && fitting.length === 0 && operands.every((type) => type !== DYN)) {
      return fail(id, `found no matching overload for '${name}' applied to (${operands.join(', ')})`);
    }
    const results = new Set(fitting.map((f) => f.result.name));
    const [only] = results;
    return results.size === 1 && only !== undefined ? only : DYN;
  };

  const visit = (expr: Expr | undefined, scope: ReadonlyMap<string, InferredType>): InferredType => {
    if (expr === undefined) return DYN;
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return constantType(kind.value.constantKind.case ?? '');
      case 'identExpr': {
        const name = kind.value.name;
        if (scope.has(name)) return scope.get(name) as InferredType;
        return variables.has(name) ? DYN : name === 'null' ? 'null_type' : 'type';
      }
      case 'selectExpr':
        visit(kind.value.operand, scope);
        return kind.value.testOnly ? 'bool' : DYN;
      case 'listExpr':
        for (const element of kind.value.elements) visit(element, scope);
        return 'list';
      case 'structExpr':
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') visit(entry.keyKind.value, scope);
          visit(entry.value, scope);
        }
        return kind.value.messageName === '' ? 'map' : kind.value.messageName;
      case 'comprehensionExpr': {
        const c = kind.value;
        visit(c.iterRange, scope);
        const accumulator = visit(c.accuInit, scope);
        const inner = new Map(scope);
        for (const name of [c.iterVar, c.iterVar2]) if (name !== '') inner.set(name, DYN);
        inner.set(c.accuVar, accumulator);
        visit(c.loopCondition, inner);
        visit(c.loopStep, inner);
        return visit(c.result, inner);
      }
      case 'callExpr': {
        const { function: name, target, args } = kind.value;
        const qualified = target === undefined ? undefined : qualifiedName(target);
        if (qualified !== undefined && !scope.has(qualified.split('.')[0] as string)) {
          const namespaced = `${qualified}.${name}`;
          if (!variables.has(qualified.split('.')[0] as string) && env.funcs.find(namespaced) !== undefined) {
            return call(
              expr.id,
              namespaced,
              undefined,
              args.map((arg) => visit(arg, scope)),
            );
          }
        }
        const targetType = target === undefined ? undefined : visit(target, scope);
        const argTypes = args.map((arg) => visit(arg, scope));
        if (BOOLEAN_OPERATORS.has(name)) return 'bool';
        if (name === '_?_:_') return argTypes[1] === argTypes[2] ? (argTypes[1] as InferredType) : DYN;
        if (name === '_?._' || name === '_[?_]') return 'optional';
        return call(expr.id, name, targetType, argTypes);
      }
      default:
        return DYN;
    }
  };

  const type = visit(root, new Map());
  return problem ?? { type };
}

/** `a.b.c` as a name, when the expression is only identifiers and selections. */
export function qualifiedName(expr: Expr | undefined): string | undefined {
  if (expr?.exprKind.case === 'identExpr') return expr.exprKind.value.name;
  if (expr?.exprKind.case !== 'selectExpr' || expr.exprKind.value.testOnly) return undefined;
  const operand = qualifiedName(expr.exprKind.value.operand);
  return operand === undefined ? undefined : `${operand}.${expr.exprKind.value.field}`;
}
