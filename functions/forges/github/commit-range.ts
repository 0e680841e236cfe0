import type { Octokit } from '@octokit/rest';
import { type CommitRange, finishRange, type RangeOptions, walkFirstParent } from '../commit-range.js';
import type { GitHubLocation } from './descriptor.js';

/** Without `page`, GitHub's compare lists at most this many commits: the newest of the comparison. */
const GITHUB_COMPARE_LIMIT = 250;

/**
 * base...head through GitHub's compare (`git log base..head`, oldest first). Its `status` says
 * whether head descends from base (`ahead`, or `identical`), whatever part of the list it sent.
 */
export async function githubCommitRange(
  octokit: Octokit,
  location: GitHubLocation,
  base: string,
  head: string,
  { limit, deadline }: RangeOptions,
  request: { signal: AbortSignal; deadline: number },
): Promise<CommitRange> {
  const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
    owner: location.owner,
    repo: location.repo,
    basehead: `${base}...${head}`,
    request: { ...request, deadline },
  });
  const listed = (data.commits ?? []).map((commit) => ({
    sha: commit.sha,
    parents: (commit.parents ?? []).map((parent) => parent.sha),
  }));
  const walk = walkFirstParent(
    listed,
    base,
    head,
    Math.min(limit, GITHUB_COMPARE_LIMIT),
    listed.length >= data.total_commits,
  );
  return finishRange(walk, data.status === 'ahead' || data.status === 'identical');
}
