import { defineForge } from '../descriptor.js';
import { parseGitHubAddress } from './address.js';

export const github = defineForge({
  label: 'GitHub',
  parseAddress: parseGitHubAddress,
  options: {},
  loadClient: () => import('./client.js'),
});
