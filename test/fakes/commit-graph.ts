import { createHash } from 'node:crypto';

/** A made-up commit id for a name, as git would print one. */
export function shaOf(name: string): string {
  return createHash('sha1').update(name).digest('hex');
}

/**
 * A repository's history for the fakes' range operations: commits in the order they were made,
 * each with its parents, first parent first.
 */
export class CommitGraph {
  readonly #parents = new Map<string, readonly string[]>();

  add(sha: string, parents: readonly string[] = []): string {
    this.#parents.set(sha, parents);
    return sha;
  }

  /** `count` commits on top of `from`, oldest first; their ids are named `<prefix>-<n>`. */
  chain(prefix: string, count: number, from?: string): string[] {
    const made: string[] = [];
    let parent = from;
    for (let n = 1; n <= count; n++) {
      parent = this.add(shaOf(`${prefix}-${n}`), parent === undefined ? [] : [parent]);
      made.push(parent);
    }
    return made;
  }

  parentsOf(sha: string): readonly string[] {
    return this.#parents.get(sha) ?? [];
  }

  has(sha: string): boolean {
    return this.#parents.has(sha);
  }

  /** Every commit `sha` reaches, itself included. */
  reachable(sha: string): Set<string> {
    const seen = new Set<string>();
    const todo = this.has(sha) ? [sha] : [];
    while (todo.length > 0) {
      const at = todo.pop() as string;
      if (seen.has(at)) continue;
      seen.add(at);
      todo.push(...this.parentsOf(at));
    }
    return seen;
  }

  /** `git log head ^base`, newest first (the order the commits were made, reversed). */
  between(base: string, head: string): string[] {
    const excluded = this.reachable(base);
    const included = this.reachable(head);
    return [...this.#parents.keys()].filter((sha) => included.has(sha) && !excluded.has(sha)).reverse();
  }
}
