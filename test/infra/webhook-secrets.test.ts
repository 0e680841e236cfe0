import { describe, expect, it } from 'vitest';
import { RouteSchema } from '../../functions/config/route-schema.js';
import { secretNamesOf } from '../../infra/constructs/webhook-secrets.js';

const route = (id: string, secret: unknown) =>
  RouteSchema.parse({
    id,
    auth: { secret },
    provider: { type: 'github', address: 'https://github.com/acme/fleet', secret: 'fleet/github' },
  });

describe('the secrets the function may read', () => {
  it('names a shared secret of per-cluster keys once, whatever keys the routes take from it', () => {
    const shared = 'flux-commit-status/fleet-webhooks';
    const names = secretNamesOf([
      route('prod-eu-1', { secret: shared, key: 'prod-eu-1' }),
      route('prod-us-1', [
        { secret: shared, key: 'prod-us-1' },
        { secret: shared, key: 'prod-us-1-next' },
      ]),
      route('legacy', ['legacy/webhook', { secret: shared, key: 'legacy' }]),
    ]);
    expect(names).toEqual([shared, 'fleet/github', 'legacy/webhook']);
  });
});
