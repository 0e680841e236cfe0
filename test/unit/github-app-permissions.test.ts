import { describe, expect, it } from 'vitest';
import { permissionsFor } from '../../functions/forges/github/app-auth.js';

/** Each call the service makes as a GitHub App, and the one permission GitHub wants for it. */
const CALLS: [string, Record<string, string>][] = [
  [`/repos/acme/fleet-infra/statuses/${'a'.repeat(40)}`, { statuses: 'write' }],
  [`/repos/acme/fleet-infra/commits/${'a'.repeat(40)}/status`, { statuses: 'write' }],
  ['/repos/acme/fleet-infra/dispatches', { contents: 'write' }],
  ['/repos/acme/fleet-infra/deployments', { deployments: 'write' }],
  ['/repos/acme/fleet-infra/deployments/42/statuses', { deployments: 'write' }],
  [`/repos/acme/fleet-infra/compare/${'a'.repeat(40)}...${'b'.repeat(40)}`, { contents: 'read' }],
  ['/repos/acme/fleet-infra/issues/7/comments?per_page=100', { issues: 'write', pull_requests: 'write' }],
  ['/repos/acme/fleet-infra/issues/comments/99', { issues: 'write', pull_requests: 'write' }],
  ['/repos/acme/fleet-infra', { metadata: 'read' }],
];

describe('an installation token is asked for what its call needs', () => {
  it.each(CALLS)('%s', (path, permissions) => {
    expect(permissionsFor(`https://api.github.com${path}`)).toEqual(permissions);
  });
});
