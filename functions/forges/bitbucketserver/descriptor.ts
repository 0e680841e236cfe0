import { defineForge } from '../descriptor.js';
import { parseBitbucketServerAddress } from './address.js';

/** Where the forge cuts a commit status's description. */
export const BITBUCKET_SERVER_TEXT_LIMIT = 255;

export const bitbucketServer = defineForge({
  label: 'Bitbucket Server',
  parseAddress: parseBitbucketServerAddress,
  commitPath: '/commits/',
  capabilities: {},
  descriptionLimit: BITBUCKET_SERVER_TEXT_LIMIT,
  options: {},
  loadClient: () => import('./client.js'),
});
