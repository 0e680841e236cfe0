import type { StatusState } from '../forge.js';

/** Bitbucket Cloud and Bitbucket Server / Data Center name build states alike. */
export const BITBUCKET_STATES: Record<StatusState, string> = {
  success: 'SUCCESSFUL',
  failure: 'FAILED',
  pending: 'INPROGRESS',
};
