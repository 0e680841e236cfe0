import { type CommitRange, type ListedCommit, pagedRange, type RangeOptions } from '../commit-range.js';
import type { ForgeHttp } from '../http/forge-http.js';
import type { AzureDevOpsLocation } from './descriptor.js';

const API_VERSION = '7.1';
const PAGE_SIZE = 100;
const MAX_PAGES = 10;

interface AzureCommit {
  commitId?: string;
  parents?: string[];
}

/** The wire format is `{count, value}`; the description says a bare array, so take either. */
function commitsIn(body: unknown): AzureCommit[] {
  if (Array.isArray(body)) return body as AzureCommit[];
  const value = (body as { value?: unknown } | undefined)?.value;
  return Array.isArray(value) ? (value as AzureCommit[]) : [];
}

/**
 * The commits between two versions through `commitsbatch`. Its description leaves the direction
 * open ("compareVersion: start walking history starting at this commit"), so the answer is judged
 * by what it holds: the side that holds head is base..head; a side that holds base says that base
 * has commits head lacks (no descent); an empty side is asked the other way round once.
 */
export function azureCommitRange(
  http: ForgeHttp,
  location: AzureDevOpsLocation,
  base: string,
  head: string,
  { limit, deadline }: RangeOptions,
): Promise<CommitRange> {
  const path = `/${encodeURIComponent(location.project)}/_apis/git/repositories/${encodeURIComponent(location.repo)}/commitsbatch`;
  const side = async (from: string, to: string, skip: number, top: number) => {
    const answer = await http.request({
      method: 'POST',
      path,
      query: { 'api-version': API_VERSION, $top: top, $skip: skip },
      body: {
        itemVersion: { version: from, versionType: 'commit' },
        compareVersion: { version: to, versionType: 'commit' },
      },
      deadline,
    });
    return commitsIn(answer.body).map(
      (commit): ListedCommit => ({ sha: commit.commitId ?? '', parents: commit.parents ?? [] }),
    );
  };
  let [from, to] = [base, head];
  return pagedRange(
    async (page) => {
      let commits = await side(from, to, page * PAGE_SIZE, PAGE_SIZE);
      if (page === 0 && commits.length === 0) {
        [from, to] = [head, base];
        commits = await side(from, to, 0, PAGE_SIZE);
      }
      // A first page without head is base's side: base has commits head lacks, so no descent.
      if (page === 0 && !commits.some((commit) => commit.sha === head)) return { commits: [], last: true };
      return { commits, last: commits.length < PAGE_SIZE };
    },
    // base..head holds head; the other side is empty exactly when base is an ancestor of head.
    async () => (await side(to, from, 0, 1)).length === 0,
    { base, head, limit, maxPages: MAX_PAGES },
  );
}
