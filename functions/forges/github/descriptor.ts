import { defineForge } from '../descriptor.js';
import { parseGitHubAddress } from './address.js';

/** Where the forge cuts a commit status's description. */
export const GITHUB_DESCRIPTION_LIMIT = 140;

export const github = defineForge({
  label: 'GitHub',
  parseAddress: parseGitHubAddress,
  commitPath: '/commit/',
  capabilities: { deployments: true, repositoryDispatch: true, changeRequestComments: true },
  descriptionLimit: GITHUB_DESCRIPTION_LIMIT,
  options: {},
  loadClient: () => import('./client.js'),
});
