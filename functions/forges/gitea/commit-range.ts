import { type CommitRange, finishRange, type RangeOptions, walkFirstParent } from '../commit-range.js';
import type { ForgeHttp } from '../http/forge-http.js';
import type { GiteaLocation } from './descriptor.js';

interface GiteaCommit {
  sha?: string;
  parents?: Array<{ sha?: string }>;
}

/**
 * base...head through Gitea's compare, from their merge base: not paged, so the whole range comes
 * at once. Head descends from base when the walk meets base; a rollback lists nothing and a force
 * push lists commits that never name base as a parent.
 */
export async function giteaCommitRange(
  http: ForgeHttp,
  location: GiteaLocation,
  base: string,
  head: string,
  { limit, deadline }: RangeOptions,
): Promise<CommitRange> {
  const { owner, repo } = location;
  const answer = await http.request({
    method: 'GET',
    path: `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/compare/${base}...${head}`,
    deadline,
  });
  const commits = (answer.body as { commits?: GiteaCommit[] } | undefined)?.commits ?? [];
  const listed = commits.map((commit) => ({
    sha: commit.sha ?? '',
    parents: (commit.parents ?? []).map((parent) => parent.sha ?? ''),
  }));
  return finishRange(walkFirstParent(listed, base, head, limit, true));
}
