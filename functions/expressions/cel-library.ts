import {
  type CelFunc,
  type CelMap,
  CelScalar,
  type CelValue,
  celEnv,
  celFunc,
  celMap,
  celMethod,
  isCelList,
  isCelMap,
  listType,
  parse,
  plan,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';

/*
 * The libraries of Flux's CEL environment (fluxcd/pkg runtime/cel: cel-go's OptionalTypes, and
 * ext.Strings, ext.Sets and ext.Encoders at their latest versions) that @bufbuild/cel lacks. Its
 * `strings` extension has every string function but `reverse`; sets, encoders and optional values
 * are written here. Each follows cel-go's documented behaviour, not its code.
 */

const { DYN, STRING, BYTES, BOOL } = CelScalar;
const LIST = listType(DYN);

/**
 * @bufbuild/cel has no optional type, and its values are closed (a class instance is refused), so an
 * optional value is an empty or one-entry map that this module made: the set below tells them apart
 * from any map an expression builds, so `value()` on a plain map is still "no such overload".
 */
const optionals = new WeakSet<CelMap>();
const PRESENT = 'value';

function optionalOf(value: CelValue | undefined): CelMap {
  const optional = celMap(value === undefined ? new Map() : new Map([[PRESENT, value]]));
  optionals.add(optional);
  return optional;
}

function asOptional(target: CelValue, method: string): CelMap {
  if (!isCelMap(target) || !optionals.has(target)) {
    throw new Error(`found no matching overload for '${method}' applied to a value that is not optional`);
  }
  return target;
}

/** CEL's zero values: what `optional.ofNonZeroValue` treats as absent. */
function isZero(value: CelValue): boolean {
  if (value === null || value === false || value === '' || value === 0 || value === 0n) return true;
  if (value instanceof Uint8Array) return value.length === 0;
  if (isCelList(value)) return value.size === 0;
  if (isCelMap(value)) return value.size === 0 && !optionals.has(value);
  return false;
}

function listOf(target: CelValue, method: string) {
  if (!isCelList(target)) throw new Error(`found no matching overload for '${method}' applied to a non-list`);
  return target;
}

const optionalFuncs: CelFunc[] = [
  celFunc('optional.of', [DYN], DYN, (value) => optionalOf(value)),
  celFunc('optional.none', [], DYN, () => optionalOf(undefined)),
  celFunc('optional.ofNonZeroValue', [DYN], DYN, (value) => optionalOf(isZero(value) ? undefined : value)),
  celMethod('hasValue', DYN, [], BOOL, function () {
    return asOptional(this, 'hasValue').has(PRESENT);
  }),
  celMethod('value', DYN, [], DYN, function () {
    const value = asOptional(this, 'value').get(PRESENT);
    if (value === undefined) throw new Error('optional.none() dereference');
    return value;
  }),
  celMethod('orValue', DYN, [DYN], DYN, function (fallback) {
    return asOptional(this, 'orValue').get(PRESENT) ?? fallback;
  }),
  celMethod('or', DYN, [DYN], DYN, function (other) {
    const own = asOptional(this, 'or');
    return own.has(PRESENT) ? own : asOptional(other, 'or');
  }),
  celMethod('first', LIST, [], DYN, function () {
    const list = listOf(this, 'first');
    return optionalOf(list.size === 0 ? undefined : list.get(0));
  }),
  celMethod('last', LIST, [], DYN, function () {
    const list = listOf(this, 'last');
    return optionalOf(list.size === 0 ? undefined : list.get(list.size - 1));
  }),
];

/** CEL's own `==` (heterogeneous numbers compare by value, as Flux's CrossTypeNumericComparisons). */
const equals = plan(celEnv(), parse('a == b'));

function contains(list: Iterable<CelValue>, wanted: CelValue): boolean {
  for (const element of list) {
    if (equals({ a: element, b: wanted }) === true) return true;
  }
  return false;
}

const setFuncs: CelFunc[] = [
  celFunc('sets.contains', [LIST, LIST], BOOL, (list, sublist) =>
    [...sublist].every((element) => contains(list, element)),
  ),
  celFunc(
    'sets.equivalent',
    [LIST, LIST],
    BOOL,
    (a, b) =>
      [...a].every((element) => contains(b, element)) && [...b].every((element) => contains(a, element)),
  ),
  celFunc('sets.intersects', [LIST, LIST], BOOL, (a, b) => [...a].some((element) => contains(b, element))),
];

const encoderFuncs: CelFunc[] = [
  celFunc('base64.encode', [BYTES], STRING, (bytes) => Buffer.from(bytes).toString('base64')),
  celFunc('base64.decode', [STRING], BYTES, (text) => {
    // cel-go accepts padded and unpadded standard base64, and nothing else.
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
      throw new Error(`illegal base64 data in ${JSON.stringify(text.slice(0, 32))}`);
    }
    return new Uint8Array(Buffer.from(text, 'base64'));
  }),
];

const stringFuncs: CelFunc[] = [
  ...strings,
  // By code point, as cel-go reverses runes.
  celMethod('reverse', STRING, [], STRING, function () {
    return Array.from(this).reverse().join('');
  }),
];

/** Every function of Flux's environment beyond CEL's standard ones. */
export const FLUX_CEL_FUNCS: readonly CelFunc[] = [
  ...stringFuncs,
  ...setFuncs,
  ...encoderFuncs,
  ...optionalFuncs,
];
