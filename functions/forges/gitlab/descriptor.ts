import { defineForge } from '../descriptor.js';
import { parseGitLabAddress } from './address.js';

/** Where the forge cuts a commit status's description. */
export const GITLAB_DESCRIPTION_LIMIT = 255;

export const gitlab = defineForge({
  label: 'GitLab',
  parseAddress: parseGitLabAddress,
  commitPath: '/-/commit/',
  capabilities: { changeRequestComments: true },
  descriptionLimit: GITLAB_DESCRIPTION_LIMIT,
  options: {},
  loadClient: () => import('./client.js'),
});
