import { defineForge } from '../descriptor.js';
import { parseGiteaAddress } from './address.js';

export const gitea = defineForge({
  label: 'Gitea',
  parseAddress: parseGiteaAddress,
  commitPath: '/commit/',
  capabilities: { changeRequestComments: true },
  options: {},
  loadClient: () => import('./client.js'),
});
