import { redact } from '../core/redact.js';
import { sensitiveValuesOf } from '../forges/credentials.js';
import { NAMING_KEYS, type SecretSource, type SecretValue } from '../secrets/secret-source.js';

/**
 * The secrets one delivery read, and the scrubbing of everything it says: its answer, its log line,
 * what it writes to the forge, the ledger and the queue. A value is remembered as it is read, so no
 * code path can use a secret before the scope knows it.
 */
export class SecretScope {
  readonly #values = new Set<string>();

  constructor(private readonly source: SecretSource) {}

  async get(name: string, options: { fresh?: boolean } = {}): Promise<SecretValue> {
    const value = await this.source.get(name, options);
    this.remember(value);
    return value;
  }

  remember(value: SecretValue): void {
    for (const text of sensitiveValuesOf(value)) this.#values.add(text);
    for (const [key, text] of Object.entries(value)) {
      if (!NAMING_KEYS.has(key) && typeof text === 'string' && text !== '') this.#values.add(text);
    }
    if (value.username && value.password) this.#values.add(`${value.username}:${value.password}`);
  }

  redact(text: string): string {
    return this.#values.size === 0 ? text : redact(text, this.#values);
  }

  /** Every string field scrubbed before the object is serialised, never the serialised text. */
  redactFields<T extends object>(record: T): T {
    const copy = { ...record } as Record<string, unknown>;
    for (const [key, value] of Object.entries(copy)) {
      if (typeof value === 'string') copy[key] = this.redact(value);
    }
    return copy as T;
  }
}
