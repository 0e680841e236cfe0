import { describe, expect } from 'vitest';
import { contractCases, prismFor } from '../harness/forge-contract.js';

const prism = prismFor('gitea');
const CONTEXT = 'kustomization/apps/prod-eu-1';

/** The Gitea client against Gitea's official description served by Prism. */
describe.skipIf(prism === undefined)('Gitea contract (Prism, Gitea swagger v1)', () => {
  contractCases(
    {
      spec: 'gitea',
      type: 'gitea',
      stripPrefix: '/api/v1',
      provider: (url) => ({ address: 'https://gitea.example.com/acme/fleet-infra', apiUrl: url }),
      secret: { token: 'giteaContractToken0123456789' },
      written: {
        success: { state: 'success', context: CONTEXT },
        failure: { state: 'failure', context: CONTEXT },
        pending: { state: 'pending', context: CONTEXT, description: 'progressing' },
        error: {
          state: 'error',
          context: CONTEXT,
          description: expect.stringMatching(/^no verdict from prod-eu-1/),
        },
      },
      violation: {
        method: 'POST',
        path: '/api/v1/repos/acme/fleet-infra/statuses/df277975d2783b0e7fd4d0487d990bd60442923c',
        body: { state: 'succeeded', context: CONTEXT },
        says: [/state/],
      },
    },
    prism as string,
  );
});
