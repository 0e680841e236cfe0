import { defineForge } from '../descriptor.js';
import { parseGitLabAddress } from './address.js';

export const gitlab = defineForge({
  label: 'GitLab',
  parseAddress: parseGitLabAddress,
  options: {},
  loadClient: () => import('./client.js'),
});
