import type { StatusState } from '../forge.js';

/**
 * Bitbucket Cloud's build states. No verdict is `STOPPED` (a build that ended without a result);
 * `FAILED` would say the deployment failed.
 */
export const BITBUCKET_STATES: Record<StatusState, string> = {
  success: 'SUCCESSFUL',
  failure: 'FAILED',
  pending: 'INPROGRESS',
  error: 'STOPPED',
};

/** Bitbucket Server / Data Center names the others alike and no verdict `CANCELLED` (since 7.14's builds API). */
export const BITBUCKET_SERVER_STATES: Record<StatusState, string> = {
  ...BITBUCKET_STATES,
  error: 'CANCELLED',
};
