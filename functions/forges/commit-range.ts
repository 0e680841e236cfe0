/**
 * The commits a deployment carried: what every forge's range call answers (README "Commit ranges").
 * Each forge asks its own compare or commit-list operation in `<type>/commit-range.ts`; the walk
 * along first parents is the same for all of them.
 */
export interface RangeOptions {
  /** At most this many commits, newest first. */
  limit: number;
  /** Epoch ms after which no forge call starts. */
  deadline: number;
}

export interface CommitRange {
  /**
   * Whether `head` descends from `base`. False for a rollback or a force push: there is then no range,
   * and `commits` is empty.
   */
  descends: boolean;
  /** The first-parent commits after `base` and before `head`, newest first, at most `limit`. */
  commits: string[];
  /** First-parent commits of the range left out past the limit (at least this many when `more`). */
  left: number;
  /** The forge has more of the range than was read, so `left` is a lower bound. */
  more: boolean;
}

export interface RangeReader {
  commitRange(base: string, head: string, options: RangeOptions): Promise<CommitRange>;
}

export function canReadRange<C extends object>(client: C): client is C & RangeReader {
  return typeof (client as Partial<RangeReader>).commitRange === 'function';
}

/** A commit as the forge lists it: its id and its parents' ids, first parent first. */
export interface ListedCommit {
  sha: string;
  parents: readonly string[];
}

const NO_RANGE: CommitRange = { descends: false, commits: [], left: 0, more: false };

/** A walk through what the forge listed; `descends` is undefined when the listing cannot tell. */
export interface RangeWalk {
  descends: boolean | undefined;
  commits: string[];
  left: number;
  more: boolean;
}

/**
 * The first-parent chain from `head` back to `base` through what the forge listed. `complete` says
 * that the forge listed the whole of base..head; otherwise the chain may stop where the listing did,
 * and `descends` is undefined unless the walk met `base` (the forge is then asked: `finishRange`).
 */
export function walkFirstParent(
  listed: readonly ListedCommit[],
  base: string,
  head: string,
  limit: number,
  complete: boolean,
): RangeWalk {
  const bySha = new Map(listed.map((commit) => [commit.sha, commit]));
  const chain: string[] = [];
  let reachedBase = false;
  for (let at = bySha.get(head); at !== undefined && chain.length < listed.length; ) {
    const parent = at.parents[0];
    if (parent === undefined) break;
    if (parent === base) {
      reachedBase = true;
      break;
    }
    at = bySha.get(parent);
    if (at !== undefined) chain.push(parent);
  }
  // A merge of base into the deployed branch descends from it too, off the first-parent line.
  const merged = reachedBase || listed.some((commit) => commit.parents.includes(base));
  const commits = chain.slice(0, limit);
  return {
    descends: merged ? true : complete ? false : undefined,
    commits,
    left: chain.length - commits.length,
    more: !reachedBase && !complete,
  };
}

/** The range of a walk, once whether head descends from base is known. */
export function finishRange(walk: RangeWalk, descends = walk.descends ?? false): CommitRange {
  return descends ? { descends, commits: walk.commits, left: walk.left, more: walk.more } : NO_RANGE;
}

/** One page of a forge's commit list, and whether it was the last. */
export interface CommitPage {
  commits: ListedCommit[];
  last: boolean;
}

/**
 * A range from a paged commit list (`git log head ^base`): pages are read only as far as the walk
 * needs (it met base, or went past the limit), at most `maxPages`. When what was read cannot tell
 * whether head descends from base, `baseIsAncestor` asks the forge (its reverse list is empty).
 */
export async function pagedRange(
  readPage: (page: number) => Promise<CommitPage>,
  baseIsAncestor: () => Promise<boolean>,
  { base, head, limit, maxPages }: { base: string; head: string; limit: number; maxPages: number },
): Promise<CommitRange> {
  const listed: ListedCommit[] = [];
  let walk = walkFirstParent(listed, base, head, limit, false);
  for (let page = 0; page < maxPages; page++) {
    const { commits, last } = await readPage(page);
    listed.push(...commits);
    walk = walkFirstParent(listed, base, head, limit, last);
    if (last || walk.descends !== undefined || walk.left > 0) break;
  }
  return walk.descends === undefined ? finishRange(walk, await baseIsAncestor()) : finishRange(walk);
}
