import type { Octokit } from '@octokit/rest';
import type { ChangeRequestCommenter } from '../forge.js';
import type { GitHubLocation } from './descriptor.js';

type Comment = Parameters<ChangeRequestCommenter['upsertComment']>[0];
type Request = { signal: AbortSignal; deadline: number };

/**
 * A pull request's comment on GitHub, as Flux's githubpullrequestcomment keeps it: a pull request is
 * an issue, so the issue-comment operations serve it. Like Flux, only the first 100 comments (oldest
 * first) are searched: the comment is made when the pull request is young.
 */
export async function upsertGitHubComment(
  octokit: Octokit,
  location: GitHubLocation,
  { changeRequest, marker, body }: Comment,
  request: Request,
): Promise<'created' | 'edited' | 'unchanged'> {
  const repository = { owner: location.owner, repo: location.repo };
  const { data } = await octokit.rest.issues.listComments({
    ...repository,
    issue_number: changeRequest,
    per_page: 100,
    request,
  });
  const found = data.filter((comment) => comment.body?.startsWith(marker) === true);
  const stale = found.filter((comment) => comment.body !== body);
  for (const comment of stale) {
    await octokit.rest.issues.updateComment({ ...repository, comment_id: comment.id, body, request });
  }
  if (found.length > 0) return stale.length > 0 ? 'edited' : 'unchanged';
  await octokit.rest.issues.createComment({ ...repository, issue_number: changeRequest, body, request });
  return 'created';
}
