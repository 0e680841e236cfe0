import { describe, expect } from 'vitest';
import { contractCases, prismFor } from '../harness/forge-contract.js';

const prism = prismFor('azuredevops');
const CONTEXT = 'kustomization/apps/prod-eu-1';

/** The Azure DevOps client against the Git 7.1 description served by Prism. */
describe.skipIf(prism === undefined)('Azure DevOps contract (Prism, vsts-rest-api-specs git 7.1)', () => {
  contractCases(
    {
      spec: 'azuredevops',
      type: 'azuredevops',
      provider: (url) => ({
        address: 'https://dev.azure.com/acme/platform/_git/fleet-infra',
        apiUrl: `${url}/acme`,
      }),
      secret: { token: 'azureContractPat0123456789' },
      written: {
        success: { state: 'succeeded', context: { name: CONTEXT, genre: 'fluxcd' } },
        failure: { state: 'error', context: { name: CONTEXT, genre: 'fluxcd' } },
        pending: { state: 'pending', description: 'progressing' },
        error: {
          state: 'error',
          description: expect.stringMatching(/^no verdict from prod-eu-1 within 30m/),
        },
      },
      violation: {
        method: 'POST',
        path: '/acme/platform/_apis/git/repositories/fleet-infra/commits/df277975d2783b0e7fd4d0487d990bd60442923c/statuses',
        body: { state: 'success', context: { name: CONTEXT } },
        says: [/api-version/],
      },
    },
    prism as string,
  );
});
