/**
 * What this process last wrote (or found) for each status identity, so that a repeat of it costs no
 * forge call at all. Bounded: the oldest entries go first once `capacity` is reached.
 */
export class StatusMemory {
  readonly #entries = new Map<string, string>();

  constructor(private readonly capacity = 10_000) {}

  static key(parts: readonly string[]): string {
    return parts.join('\u0000');
  }

  has(key: string, value: string): boolean {
    return this.#entries.get(key) === value;
  }

  remember(key: string, value: string): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
