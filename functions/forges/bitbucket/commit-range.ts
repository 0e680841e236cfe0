import {
  type CommitRange,
  finishRange,
  type ListedCommit,
  type RangeOptions,
  type RangeWalk,
  walkFirstParent,
} from '../commit-range.js';
import type { ForgeHttp } from '../http/forge-http.js';
import type { BitbucketLocation } from './address.js';

/** Bitbucket Cloud's largest `pagelen` for a commit list. */
const PAGE_LENGTH = 100;
const MAX_PAGES = 10;

interface BitbucketCommits {
  values?: Array<{ hash?: string; parents?: Array<{ hash?: string }> }>;
  next?: string;
}

/**
 * head, excluding what base reaches (`git log head ^base`), newest first, following `next` only as
 * far as the walk needs. When the pages read do not show whether head descends from base, the
 * reverse list (base excluding head) answers it: it is empty exactly when base is an ancestor.
 */
export async function bitbucketCommitRange(
  http: ForgeHttp,
  location: BitbucketLocation,
  base: string,
  head: string,
  { limit, deadline }: RangeOptions,
): Promise<CommitRange> {
  const commitsOf = (sha: string) =>
    `/repositories/${encodeURIComponent(location.workspace)}/${encodeURIComponent(location.repoSlug)}/commits/${sha}`;
  const listed: ListedCommit[] = [];
  let walk: RangeWalk = walkFirstParent(listed, base, head, limit, false);
  let path: string | undefined = commitsOf(head);
  let query: Record<string, string | number> | undefined = { exclude: base, pagelen: PAGE_LENGTH };
  for (let page = 0; page < MAX_PAGES && path !== undefined; page++) {
    const answer = await http.request({ method: 'GET', path, ...(query ? { query } : {}), deadline });
    const body = (answer.body ?? {}) as BitbucketCommits;
    for (const commit of body.values ?? []) {
      listed.push({ sha: commit.hash ?? '', parents: (commit.parents ?? []).map((each) => each.hash ?? '') });
    }
    // `next` is followed as given, never built, and only on the same API.
    const next = body.next?.startsWith(location.apiUrl) ? body.next.slice(location.apiUrl.length) : undefined;
    walk = walkFirstParent(listed, base, head, limit, body.next === undefined);
    if (next === undefined || walk.descends !== undefined || walk.left > 0) break;
    path = next;
    query = undefined;
  }
  if (walk.descends !== undefined) return finishRange(walk);
  const reverse = await http.request({
    method: 'GET',
    path: commitsOf(base),
    query: { exclude: head, pagelen: 1 },
    deadline,
  });
  return finishRange(walk, ((reverse.body as BitbucketCommits | undefined)?.values ?? []).length === 0);
}
