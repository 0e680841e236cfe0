import type { Route } from '../config/route-schema.js';
import type { CommitStatus } from '../core/commit-status.js';
import { commitPageUrl } from '../forges/registry.js';

/**
 * What a commit that a deployment carried is owed: after a success, it is deployed with it; after
 * a failure nothing says whether it alone would have deployed, so it ends in `error` (no verdict of
 * its own), as a superseded pending commit does. It links to the deployment's details page when the
 * route has them, and otherwise to the deployed commit.
 */
export function carriedStatus(route: Route, verdict: CommitStatus, sha: string): CommitStatus {
  const sha7 = verdict.sha.slice(0, 7);
  const status: CommitStatus = {
    ...verdict,
    sha,
    state: verdict.state === 'success' ? 'success' : 'error',
    description:
      verdict.state === 'success'
        ? `deployed with ${sha7}`
        : `deployed with ${sha7}, which failed; not verified on its own`,
    targetUrl:
      route.detailsPage && verdict.targetUrl !== undefined
        ? verdict.targetUrl
        : commitPageUrl(route.provider, verdict.sha),
  };
  return status;
}
