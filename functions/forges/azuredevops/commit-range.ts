import {
  type CommitRange,
  finishRange,
  type ListedCommit,
  NO_RANGE,
  type RangeOptions,
  walkFirstParent,
} from '../commit-range.js';
import type { ForgeHttp } from '../http/forge-http.js';
import type { AzureDevOpsLocation } from './address.js';

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
export async function azureCommitRange(
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
  let listed = await side(from, to, 0, PAGE_SIZE);
  if (listed.length === 0) {
    [from, to] = [head, base];
    listed = await side(from, to, 0, PAGE_SIZE);
  }
  if (!listed.some((commit) => commit.sha === head)) return NO_RANGE;
  let full = listed.length < PAGE_SIZE;
  let walk = walkFirstParent(listed, base, head, limit, full);
  for (let page = 1; page < MAX_PAGES && !full && walk.descends === undefined && walk.left === 0; page++) {
    const more = await side(from, to, page * PAGE_SIZE, PAGE_SIZE);
    listed = [...listed, ...more];
    full = more.length < PAGE_SIZE;
    walk = walkFirstParent(listed, base, head, limit, full);
  }
  if (walk.descends !== undefined) return finishRange(walk);
  // base..head holds head; the other side is empty exactly when base is an ancestor of head.
  return finishRange(walk, (await side(to, from, 0, 1)).length === 0);
}
