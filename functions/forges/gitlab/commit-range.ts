import { type CommitRange, finishRange, type RangeOptions, walkFirstParent } from '../commit-range.js';
import type { ForgeHttp } from '../http/forge-http.js';
import type { GitLabLocation } from './descriptor.js';

interface GitLabCommit {
  id?: string;
  parent_ids?: string[] | string;
}

/**
 * from..to through GitLab's repository compare, from their merge base (`straight=false`): not paged,
 * so the whole range comes at once. Head descends from base when the walk meets base; a rollback
 * lists nothing and a force push lists commits that never name base as a parent.
 */
export async function gitlabCommitRange(
  http: ForgeHttp,
  location: GitLabLocation,
  base: string,
  head: string,
  { limit, deadline }: RangeOptions,
  token: string,
): Promise<CommitRange> {
  const answer = await http.request({
    method: 'GET',
    headers: { 'private-token': token },
    path: `/projects/${encodeURIComponent(location.projectId)}/repository/compare`,
    query: { from: base, to: head, straight: false },
    deadline,
  });
  const commits = (answer.body as { commits?: GitLabCommit[] } | undefined)?.commits ?? [];
  const listed = commits.map((commit) => ({
    sha: commit.id ?? '',
    parents: Array.isArray(commit.parent_ids) ? commit.parent_ids : [],
  }));
  return finishRange(walkFirstParent(listed, base, head, limit, true));
}
