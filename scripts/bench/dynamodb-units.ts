import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * DynamoDB's capacity rules, as its developer guide states them ("Item sizes and formats", "Capacity
 * unit consumption for read/write operations", "Provisioned throughput considerations for global
 * secondary indexes"), so that the bench prices every request it sees the way AWS bills it.
 */
export type Item = Record<string, AttributeValue>;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** A number's size: 1 byte per two significant digits, plus 1; leading and trailing zeros do not count. */
export function numberSize(text: string): number {
  const digits = text.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '').length;
  return Math.ceil(Math.max(1, significant) / 2) + 1;
}

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, text) => sum + utf8(text), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, text) => sum + numberSize(text), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, bytes) => sum + bytes.length, 0);
  // A list or a map: 3 bytes, and 1 byte for each element besides its own size.
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + valueSize(element) + 1, 0);
  if (value.M !== undefined) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  return 0;
}

/** An item's size: each attribute's name in UTF-8 bytes plus its value's size. */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8(name) + valueSize(value);
  return size;
}

/** A read of `bytes` (one item, or a query's items together): per 4 KB, at least one unit; half when eventually consistent. */
export function readUnits(bytes: number, consistent: boolean): number {
  return Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
}

/** A write: per 1 KB of the larger of the item before and after, at least one unit. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

export interface IndexShape {
  name: string;
  keys: readonly string[];
  /** KEYS_ONLY: the table's key and the index's keys; nothing else is projected. */
  tableKeys: readonly string[];
}

/** An index entry's size: the projected attributes plus 100 bytes of overhead. */
function entrySize(item: Item, index: IndexShape): number {
  const projected: Item = {};
  for (const name of [...index.tableKeys, ...index.keys]) {
    const value = item[name];
    if (value !== undefined) projected[name] = value;
  }
  return itemSize(projected) + 100;
}

const inIndex = (item: Item | undefined, index: IndexShape): item is Item =>
  item !== undefined && index.keys.every((name) => item[name] !== undefined);

const sameKeys = (a: Item, b: Item, index: IndexShape) =>
  index.keys.every((name) => JSON.stringify(a[name]) === JSON.stringify(b[name]));

/**
 * The write units a successful put spends on a KEYS_ONLY index: an entry put, an entry deleted, or
 * both when its key changes; nothing when the item stays out of it or keeps the same keys.
 */
export function indexWriteUnits(before: Item | undefined, after: Item, index: IndexShape): number {
  const was = inIndex(before, index);
  const is = inIndex(after, index);
  if (was && is) return sameKeys(before, after, index) ? 0 : 2 * writeUnits(entrySize(after, index));
  if (was) return writeUnits(entrySize(before, index));
  if (is) return writeUnits(entrySize(after, index));
  return 0;
}

/**
 * A PutItem's units on the table: the larger of the item before and after; when its condition fails,
 * the item as it stands (at least one unit), and no index is written.
 */
export function putUnits(before: Item | undefined, after: Item, succeeded: boolean): number {
  const beforeSize = before === undefined ? 0 : itemSize(before);
  if (!succeeded) return writeUnits(beforeSize);
  return writeUnits(Math.max(beforeSize, itemSize(after)));
}
