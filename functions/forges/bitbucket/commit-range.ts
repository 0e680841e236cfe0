import { type CommitRange, pagedRange, type RangeOptions } from '../commit-range.js';
import type { ForgeHttp } from '../http/forge-http.js';
import type { BitbucketLocation } from './descriptor.js';

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
export function bitbucketCommitRange(
  http: ForgeHttp,
  location: BitbucketLocation,
  base: string,
  head: string,
  { limit, deadline }: RangeOptions,
): Promise<CommitRange> {
  const commitsOf = (sha: string) =>
    `/repositories/${encodeURIComponent(location.workspace)}/${encodeURIComponent(location.repoSlug)}/commits/${sha}`;
  let next: string | undefined;
  return pagedRange(
    async (page) => {
      const answer = await http.request({
        method: 'GET',
        ...(page === 0
          ? { path: commitsOf(head), query: { exclude: base, pagelen: PAGE_LENGTH } }
          : { path: next as string }),
        deadline,
      });
      const body = (answer.body ?? {}) as BitbucketCommits;
      // `next` is followed as given, never built, and only on the same API.
      next = body.next?.startsWith(location.apiUrl) ? body.next.slice(location.apiUrl.length) : undefined;
      return {
        commits: (body.values ?? []).map((commit) => ({
          sha: commit.hash ?? '',
          parents: (commit.parents ?? []).map((each) => each.hash ?? ''),
        })),
        last: next === undefined,
      };
    },
    async () => {
      const reverse = await http.request({
        method: 'GET',
        path: commitsOf(base),
        query: { exclude: head, pagelen: 1 },
        deadline,
      });
      return ((reverse.body as BitbucketCommits | undefined)?.values ?? []).length === 0;
    },
    { base, head, limit, maxPages: MAX_PAGES },
  );
}
