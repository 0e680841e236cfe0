import { defineForge } from '../descriptor.js';
import { parseBitbucketServerAddress } from './address.js';

export const bitbucketServer = defineForge({
  label: 'Bitbucket Server',
  parseAddress: parseBitbucketServerAddress,
  options: {},
  loadClient: () => import('./client.js'),
});
