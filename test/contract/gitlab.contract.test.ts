import { describe } from 'vitest';
import { contractCases, prismFor } from '../harness/forge-contract.js';

const prism = prismFor('gitlab');
const CONTEXT = 'kustomization/apps/prod-eu-1';

/** gitbeaker, through the relay's requester, against GitLab's official description served by Prism. */
describe.skipIf(prism === undefined)('GitLab contract (Prism, GitLab openapi_v2)', () => {
  contractCases(
    {
      spec: 'gitlab',
      type: 'gitlab',
      provider: (url) => ({ address: 'https://gitlab.com/acme/platform/fleet-infra', apiUrl: url }),
      secret: { token: 'glpat-contractToken0123456789' },
      written: {
        success: { state: 'success', name: CONTEXT, ref: 'main' },
        failure: { state: 'failed', name: CONTEXT },
        pending: { state: 'running', name: CONTEXT },
        error: { state: 'canceled', name: CONTEXT },
      },
      violation: {
        method: 'POST',
        path: '/api/v4/projects/acme%2Ffleet-infra/statuses/df277975d2783b0e7fd4d0487d990bd60442923c',
        body: { state: 'succeeded', target_url: `https://example.com/${'x'.repeat(300)}` },
        says: [/state/, /target_url: \d+ characters, the forge allows 255/],
      },
    },
    prism as string,
  );
});
