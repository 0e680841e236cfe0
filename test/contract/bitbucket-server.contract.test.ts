import { describe } from 'vitest';
import { contractCases, prismFor } from '../harness/forge-contract.js';

const prism = prismFor('bitbucketserver');
const CONTEXT = 'kustomization/apps/prod-eu-1';

/** The Bitbucket Server client against the Data Center 9.2 description served by Prism. */
describe.skipIf(prism === undefined)('Bitbucket Server contract (Prism, Bitbucket Data Center 9.2)', () => {
  contractCases(
    {
      spec: 'bitbucketserver',
      type: 'bitbucketserver',
      stripPrefix: '/rest',
      provider: (url) => ({ address: 'https://bitbucket.example.com/scm/PLAT/fleet-infra.git', apiUrl: url }),
      secret: { token: 'BBDC-contractToken0123456789' },
      written: {
        success: { state: 'SUCCESSFUL', name: CONTEXT },
        failure: { state: 'FAILED', name: CONTEXT },
        pending: {
          state: 'INPROGRESS',
          url: 'https://bitbucket.example.com/projects/PLAT/repos/fleet-infra',
        },
        error: { state: 'CANCELLED', url: 'https://bitbucket.example.com/projects/PLAT/repos/fleet-infra' },
      },
      violation: {
        method: 'POST',
        path: '/rest/api/latest/projects/PLAT/repos/fleet-infra/commits/df277975d2783b0e7fd4d0487d990bd60442923c/builds',
        body: { key: 'k', state: 'SUCCESS', name: 'n'.repeat(300) },
        says: [/url/, /state/, /name: 300 characters, the forge allows 255/],
      },
    },
    prism as string,
  );
});
