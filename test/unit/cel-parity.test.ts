import type { CelInput } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { StatusExpressionError } from '../../functions/core/errors.js';
import { parseFluxEvent } from '../../functions/core/flux-event.js';
import {
  compileStringExpression,
  ExpressionCompileError,
  ExpressionEvaluationError,
} from '../../functions/expressions/cel-expression.js';
import { compileCommitStatusExpr } from '../../functions/expressions/commit-status-expr.js';
import { testRoute } from '../harness/flux-fixtures.js';

/*
 * Parity facts, not code: each row restates a case of Flux's own tests with its expected outcome.
 * Sources (read, not copied):
 * - fluxcd/pkg runtime/cel/expression_test.go @ e2cfd1a2d1815a81b3e77ef750e6528282ccccd6
 *   (TestNewExpression, TestExpression_EvaluateString)
 * - fluxcd/notification-controller internal/server/provider_commit_status_test.go
 *   @ 2e46958a67f3af0e3e755a4fcaf7397d5803725e (Test_newCommitStatus)
 * - google/cel-go ext/README.md (strings, sets, encoders) and the optional types' documentation,
 *   for the libraries that fluxcd/pkg's environment adds (ext.Strings, ext.Sets, ext.Encoders,
 *   cel.OptionalTypes).
 */

type Row = {
  expr: string;
  variables: string[];
  data: Record<string, CelInput>;
  result?: string;
  error?: RegExp;
};

const evaluate = ({ expr, variables, data }: Row) => compileStringExpression(expr, variables).evaluate(data);

describe('fluxcd/pkg runtime/cel: EvaluateString (compiled with struct variables)', () => {
  const uidData = {
    foo: { bar: 'some-value', baz: 'some-other-value' },
    bar: { uid: 'AKS2J23-DAFLSDD-123J5LS' },
  };
  const rows: Row[] = [
    { expr: 'foo', variables: ['foo'], data: { foo: 'some-value' }, result: 'some-value' },
    { expr: 'foo', variables: ['foo'], data: { foo: 123n }, error: /not a string/ },
    { expr: 'foo.bar', variables: ['foo'], data: { foo: { bar: 'some-value' } }, result: 'some-value' },
    {
      expr: "foo.bar + '/' + foo.baz + '/' + bar.biz",
      variables: ['foo', 'bar'],
      data: { foo: { bar: 'some-value', baz: 'some-other-value' }, bar: { biz: 'some-third-value' } },
      result: 'some-value/some-other-value/some-third-value',
    },
    {
      expr: "foo.bar + '/' + foo.baz + '/' + bar.uid.split('-')[0].lowerAscii()",
      variables: ['foo', 'bar'],
      data: uidData,
      result: 'some-value/some-other-value/aks2j23',
    },
    {
      expr: "foo.bar + '/' + foo.baz + '/' + bar.uid.split('-').first().value().lowerAscii()",
      variables: ['foo', 'bar'],
      data: uidData,
      result: 'some-value/some-other-value/aks2j23',
    },
    {
      expr: "foo.bar.split('-').first().value()",
      variables: ['foo'],
      data: { foo: { bar: 'hello-world-testing-123' } },
      result: 'hello',
    },
    {
      expr: "foo.bar.split('-').last().value()",
      variables: ['foo'],
      data: { foo: { bar: 'hello-world-testing-123' } },
      result: '123',
    },
    // "error without value method": an optional is not a string; refused at load here (below).
    // "non-existent field": the variable is declared but absent.
    { expr: 'foo', variables: ['foo'], data: {}, error: /unresolved attribute/ },
  ];

  it.each(rows)('$expr', (row) => {
    if (row.error === undefined) {
      expect(evaluate(row)).toBe(row.result);
    } else {
      expect(() => evaluate(row)).toThrow(ExpressionEvaluationError);
      expect(() => evaluate(row)).toThrow(row.error);
    }
  });
});

describe('fluxcd/pkg runtime/cel: NewExpression with WithCompile refuses at compile time, with the position', () => {
  it.each([
    // "invalid expression": a syntax error.
    { expr: 'foo.', variables: ['foo'], error: /^1:4: syntax error: / },
    // "compilation detects undeclared references" (Flux: <input>:1:1: undeclared reference to 'foo').
    { expr: 'foo', variables: [], error: /^1:1: undeclared reference to 'foo'/ },
    { expr: "foo.bar.split('-').nope()", variables: ['foo'], error: /^1:19: undeclared reference to 'nope'/ },
    { expr: 'foo +\n  bar', variables: ['foo'], error: /^2:3: undeclared reference to 'bar'/ },
    { expr: '[1].map(x, x + y)', variables: [], error: /undeclared reference to 'y'/ },
  ])('$expr', ({ expr, variables, error }) => {
    expect(() => compileStringExpression(expr, variables)).toThrow(ExpressionCompileError);
    expect(() => compileStringExpression(expr, variables)).toThrow(error);
  });

  it('accepts comprehension variables, namespaced functions and type names as declared', () => {
    const expression = compileStringExpression(
      "foo.items.filter(i, i.startsWith('t')).map(i, i.upperAscii()).join(',') + string(type(1) == int)",
      ['foo'],
    );

    expect(expression.evaluate({ foo: { items: ['hello', 'test', 'testing'] } })).toBe('TEST,TESTINGtrue');
  });

  /*
   * cel-go's checker refuses at compile time a result whose static type is not string
   * ("compilation detects type errors", and EvaluateString's "error without value method" when
   * compiled). @bufbuild/cel has no public checker; cel-result-type.ts infers what the declarations
   * fix. Where a variable's field decides the type (a map's value is dyn), it is checked per event.
   */
  it.each([
    { expr: "foo == 'bar'", error: /^1:\d+: the result's type is bool, not string$/ },
    // "error without value method"
    { expr: "foo.bar.split('-').first()", error: /^1:\d+: the result's type is optional, not string$/ },
    { expr: 'size(foo.bar) + 1', error: /^1:\d+: the result's type is int, not string$/ },
    { expr: '[1, 2].exists(x, x > 1)', error: /the result's type is bool, not string/ },
    { expr: 'has(foo.bar)', error: /the result's type is bool, not string/ },
    { expr: '{"a": foo}', error: /the result's type is map, not string/ },
    { expr: 'sets.contains([1], [1])', error: /the result's type is bool, not string/ },
    { expr: "'x' + 1", error: /^1:\d+: found no matching overload for '_\+_' applied to \(string, int\)$/ },
    { expr: "'a' < 1 ? 'x' : 'y'", error: /found no matching overload for '_<_' applied to \(string, int\)/ },
  ])('refuses $expr at load: its result type is known', ({ expr, error }) => {
    expect(() => compileStringExpression(expr, ['foo'])).toThrow(ExpressionCompileError);
    expect(() => compileStringExpression(expr, ['foo'])).toThrow(error);
  });

  it.each([
    'foo.bar',
    "foo.bar.split('-').first().value()",
    "foo.bar.split('-').first().orValue('x')",
    "foo.flag ? 'a' : 'b'",
    "foo['key'] + '/' + string(size(foo.items))",
    "base64.encode(b'x')",
  ])('accepts %s at load: a string, or a type only the event decides', (expr) => {
    expect(() => compileStringExpression(expr, ['foo'])).not.toThrow();
  });

  it('refuses a dyn result that is not a string when the event is evaluated', () => {
    const expression = compileStringExpression('foo.bar', ['foo']);

    expect(() => expression.evaluate({ foo: { bar: true } })).toThrow(/the result is a bool, not a string/);
  });
});

describe("the libraries of Flux's environment that @bufbuild/cel lacks (cel-go's documented examples)", () => {
  it.each([
    // Strings (ext.Strings, latest version): reverse, beside the ones @bufbuild/cel has.
    ["'gums'.reverse()", 'smug'],
    ["'John Smith'.reverse()", 'htimS nhoJ'],
    [
      "'TacoCat'.lowerAscii() + '/' + 'a-b-c'.replace('-', '_', 1) + '/' + ['x', 'y'].join('.')",
      'tacocat/a_b-c/x.y',
    ],
    ["'  trim  '.trim() + '/' + 'hello'.substring(1, 3) + '/' + 'hello'.charAt(4)", 'trim/el/o'],
    ["strings.quote('a\"b')", '"a\\"b"'],
    // Sets (ext.Sets).
    ['string(sets.contains([], []))', 'true'],
    ['string(sets.contains([1, 2, 3, 4], [2, 3]))', 'true'],
    ['string(sets.contains([1, 2.0, 3u], [1.0, 2u, 3]))', 'true'],
    ['string(sets.contains([1], [2]))', 'false'],
    ['string(sets.equivalent([1, 2, 3], [3u, 2.0, 1]))', 'true'],
    ['string(sets.equivalent([1, 2], [2, 2, 2]))', 'false'],
    ['string(sets.intersects([1], []))', 'false'],
    ['string(sets.intersects([1], [1, 2]))', 'true'],
    // Encoders (ext.Encoders): padded or not on the way in.
    ["base64.encode(b'hello')", 'aGVsbG8='],
    ["string(base64.decode('aGVsbG8='))", 'hello'],
    ["string(base64.decode('aGVsbG8'))", 'hello'],
    // Optional types (cel.OptionalTypes): values, fall-backs, and lists' first and last.
    ["optional.of('x').value()", 'x'],
    ["optional.none().orValue('fallback')", 'fallback'],
    ["optional.of('x').orValue('fallback')", 'x'],
    ['string(optional.none().hasValue())', 'false'],
    ["optional.ofNonZeroValue('').or(optional.of('second')).value()", 'second'],
    ["string([].first().hasValue()) + '/' + ['a', 'b'].last().value()", 'false/b'],
  ])('%s is %j', (expr, result) => {
    expect(compileStringExpression(expr, []).evaluate({})).toBe(result);
  });

  it.each([
    ['optional.none().value()', /optional.none\(\) dereference/],
    ["{'value': 'x'}.value()", /no matching overload/],
    ["string(base64.decode('a'))", /illegal base64 data/],
  ])('%s fails', (expr, error) => {
    expect(() => compileStringExpression(expr, []).evaluate({})).toThrow(error);
  });
});

describe('notification-controller: commitStatusExpr (Test_newCommitStatus)', () => {
  const route = testRoute('http://127.0.0.1:1', {
    provider: {
      type: 'github',
      address: 'https://github.com/acme/fleet-infra',
      secret: 'test/forge',
      metadata: { uid: '0c9c2e41-d2f9-4f9b-9c41-bebc1984d67a' },
    },
    alert: { metadata: { name: 'test-alert' } },
  });
  const event = parseFluxEvent(
    JSON.stringify({
      involvedObject: { kind: 'Kustomization', name: 'gitops-system', namespace: 'flux-system' },
      severity: 'info',
      timestamp: '2026-12-06T21:00:00Z',
      message: 'Reconciliation finished',
      reason: 'ReconciliationSucceeded',
      reportingController: 'kustomize-controller',
    }),
  );
  const name = (expr: string) => compileCommitStatusExpr(route, expr)(event, { environment: 'production' });

  it.each([
    [
      "event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.environment + '/' + provider.metadata.uid + '/' + alert.metadata.name",
      'Kustomization/gitops-system/production/0c9c2e41-d2f9-4f9b-9c41-bebc1984d67a/test-alert',
    ],
    [
      "(event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.environment + '/' + provider.metadata.uid + '/' + alert.metadata.name).lowerAscii()",
      'kustomization/gitops-system/production/0c9c2e41-d2f9-4f9b-9c41-bebc1984d67a/test-alert',
    ],
    // Flux's documentation example: the name used as it comes, not lower-cased.
    [
      "'flux/' + event.involvedObject.name + '/' + provider.metadata.uid.split('-').first().value()",
      'flux/gitops-system/0c9c2e41',
    ],
  ])('%s', (expr, result) => {
    expect(name(expr)).toBe(result);
  });

  it.each([
    "event.involvedObject.kind + '/' + event.involvedObject.name + '/' + notification.metadata.name",
    "kustomization.metadata.name + '/' + provider.metadata.uid",
  ])('refuses %s at compile time: an undeclared variable', (expr) => {
    expect(() => compileCommitStatusExpr(route, expr)).toThrow(
      /undeclared reference to '(notification|kustomization)'/,
    );
  });

  it.each([
    // A missing key, as Flux's "no such key".
    ["event.metadata.region + '/x'", /commitStatusExpr failed on the event: .*region/],
    // A provider field the route does not set is absent, as an empty field in Kubernetes.
    ["provider.metadata.namespace + '/x'", /commitStatusExpr failed on the event: .*namespace/],
    ["event.involvedObject.name.size() > 3 ? '' : 'x'", /status name .* is empty/],
    ["event.message + '\\n'", /unprintable/],
  ])('refuses the event for %s with a StatusExpressionError (422)', (expr, error) => {
    expect(() => name(expr)).toThrow(StatusExpressionError);
    expect(() => name(expr)).toThrow(error);
  });

  it('names the provider by the route id unless the route says otherwise', () => {
    expect(name("provider.metadata.name + '/' + provider.spec.type")).toBe('test/github');
  });
});
