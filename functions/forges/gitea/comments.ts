import type { ChangeRequestCommenter } from '../forge.js';
import type { ForgeHttp } from '../http/forge-http.js';
import type { GiteaLocation } from './descriptor.js';

type Comment = Parameters<ChangeRequestCommenter['upsertComment']>[0];

interface GiteaComment {
  id?: number;
  body?: string;
}

/**
 * A pull request's comment on Gitea, as Flux's giteapullrequestcomment keeps it: a pull request is
 * an issue (`index` = its number). Gitea's comment list is not paginated.
 */
export async function upsertGiteaComment(
  http: ForgeHttp,
  { owner, repo }: GiteaLocation,
  { changeRequest, marker, body }: Comment,
  deadline: number,
): Promise<'created' | 'edited' | 'unchanged'> {
  const issue = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/issues`;
  const listed = await http.request({ method: 'GET', path: `${issue}/${changeRequest}/comments`, deadline });
  const comments = Array.isArray(listed.body) ? (listed.body as GiteaComment[]) : [];
  const found = comments.filter((comment) => comment.body?.startsWith(marker) === true);
  const stale = found.filter((comment) => comment.body !== body && comment.id !== undefined);
  for (const comment of stale) {
    await http.request({
      method: 'PATCH',
      path: `${issue}/comments/${comment.id}`,
      body: { body },
      deadline,
    });
  }
  if (found.length > 0) return stale.length > 0 ? 'edited' : 'unchanged';
  await http.request({
    method: 'POST',
    path: `${issue}/${changeRequest}/comments`,
    body: { body },
    deadline,
  });
  return 'created';
}
