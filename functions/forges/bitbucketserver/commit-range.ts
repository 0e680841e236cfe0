import { type CommitRange, pagedRange, type RangeOptions } from '../commit-range.js';
import type { ForgeHttp } from '../http/forge-http.js';
import type { BitbucketServerLocation } from './descriptor.js';

const PAGE_LIMIT = 100;
const MAX_PAGES = 10;

interface CommitPage {
  values?: Array<{ id?: string; parents?: Array<{ id?: string }> }>;
  isLastPage?: boolean;
  nextPageStart?: number;
}

/**
 * The commits `since` base `until` head (`git log head ^base`), newest first, a page at a time as
 * far as the walk needs. When the pages read do not show whether head descends from base, the
 * reverse list (since head until base) answers it: it is empty exactly when base is an ancestor.
 */
export function bitbucketServerCommitRange(
  http: ForgeHttp,
  location: BitbucketServerLocation,
  base: string,
  head: string,
  { limit, deadline }: RangeOptions,
): Promise<CommitRange> {
  const path = `/api/latest/projects/${encodeURIComponent(location.projectKey)}/repos/${encodeURIComponent(location.repoSlug)}/commits`;
  let start = 0;
  return pagedRange(
    async () => {
      const answer = await http.request({
        method: 'GET',
        path,
        query: { since: base, until: head, limit: PAGE_LIMIT, start },
        deadline,
      });
      const body = (answer.body ?? {}) as CommitPage;
      const last = body.isLastPage !== false || body.nextPageStart === undefined;
      start = body.nextPageStart ?? start;
      return {
        commits: (body.values ?? []).map((commit) => ({
          sha: commit.id ?? '',
          parents: (commit.parents ?? []).map((each) => each.id ?? ''),
        })),
        last,
      };
    },
    async () => {
      const reverse = await http.request({
        method: 'GET',
        path,
        query: { since: head, until: base, limit: 1 },
        deadline,
      });
      return ((reverse.body as CommitPage | undefined)?.values ?? []).length === 0;
    },
    { base, head, limit, maxPages: MAX_PAGES },
  );
}
