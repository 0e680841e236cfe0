import { defineForge } from '../descriptor.js';
import { parseBitbucketAddress } from './address.js';

export const bitbucket = defineForge({
  label: 'Bitbucket',
  parseAddress: parseBitbucketAddress,
  commitPath: '/commits/',
  capabilities: {},
  options: {},
  loadClient: () => import('./client.js'),
});
