import type { ChangeRequestCommenter } from '../forge.js';
import type { ForgeHttp } from '../http/forge-http.js';
import type { GitLabLocation } from './descriptor.js';

type Comment = Parameters<ChangeRequestCommenter['upsertComment']>[0];

interface GitLabNote {
  id?: number;
  body?: string;
  system?: boolean;
}

/**
 * A merge request's note on GitLab, as Flux's gitlabmergerequestcomment keeps it: the first 100
 * notes, oldest first (GitLab lists newest first unless asked), system notes left aside. These
 * operations are absent from GitLab's OpenAPI description; they follow its Notes API documentation.
 */
export async function upsertGitLabNote(
  http: ForgeHttp,
  token: string,
  { projectId }: GitLabLocation,
  { changeRequest, marker, body }: Comment,
  deadline: number,
): Promise<'created' | 'edited' | 'unchanged'> {
  const headers = { 'private-token': token };
  const notes = `/projects/${encodeURIComponent(String(projectId))}/merge_requests/${changeRequest}/notes`;
  const listed = await http.request({
    method: 'GET',
    path: notes,
    query: { sort: 'asc', order_by: 'created_at', per_page: 100 },
    headers,
    deadline,
  });
  const found = (Array.isArray(listed.body) ? (listed.body as GitLabNote[]) : []).filter(
    (note) => note.system !== true && note.body?.startsWith(marker) === true,
  );
  const stale = found.filter((note) => note.body !== body && note.id !== undefined);
  for (const note of stale) {
    await http.request({ method: 'PUT', path: `${notes}/${note.id}`, body: { body }, headers, deadline });
  }
  if (found.length > 0) return stale.length > 0 ? 'edited' : 'unchanged';
  await http.request({ method: 'POST', path: notes, body: { body }, headers, deadline });
  return 'created';
}
