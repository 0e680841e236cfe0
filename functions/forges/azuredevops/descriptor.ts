import { defineForge } from '../descriptor.js';
import { parseAzureDevOpsAddress } from './address.js';
import { AZURE_DEVOPS_OPTIONS } from './options.js';

export const azureDevOps = defineForge({
  label: 'Azure DevOps',
  parseAddress: parseAzureDevOpsAddress,
  commitPath: '/commit/',
  capabilities: {},
  options: AZURE_DEVOPS_OPTIONS,
  namesStatusBySummary: true,
  loadClient: () => import('./client.js'),
});
