/**
 * Runs tasks of one key one after another, and tasks of different keys freely. Within a process,
 * two deliveries of one status identity then never race each other to the ledger and the forge;
 * across containers the ledger's protocol keeps the order, this only saves forge calls.
 */
export class KeyedSerializer {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const current = previous.then(task, task);
    const tail = current.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return current;
  }
}
