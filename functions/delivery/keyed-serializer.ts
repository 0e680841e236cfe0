/**
 * Runs tasks of one key one after another, and tasks of different keys freely. Within a process,
 * two deliveries of one status identity then never race each other to the ledger and the forge;
 * across containers the ledger's protocol keeps the order, this only saves forge calls.
 *
 * The task is awaited inside `run`, never handed to a promise's `then`: V8's async stack trace
 * follows awaits only, so a forge failure's stack keeps the frames of the delivery that ran it.
 */
export class KeyedSerializer {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    let release = () => {};
    const tail = new Promise<void>((done) => {
      release = done;
    });
    // Set before the first await: the tasks of a key run in the order `run` was called.
    this.#tails.set(key, tail);
    try {
      // A tail never rejects: a failed task frees its key as a finished one does.
      await previous;
      return await task();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
