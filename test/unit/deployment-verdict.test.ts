import { describe, expect, it } from 'vitest';
import type { StatusState } from '../../functions/core/commit-status.js';
import { deploymentOf } from '../../functions/fleet/deployment-delivery.js';
import { eventOrder } from '../../functions/ledger/status-ledger.js';

/** The roll-ups of an environment's objects on one commit, by context. */
function rollups(states: Record<string, StatusState>) {
  return Object.fromEntries(
    Object.entries(states).map(([context, state]) => [
      context,
      { order: eventOrder(0, { state, description: state, targetUrl: '' }), state, description: state },
    ]),
  );
}

describe("a deployment's verdict from its objects' roll-ups", () => {
  it.each<[Record<string, StatusState>, StatusState]>([
    [{ apps: 'success', infra: 'success' }, 'success'],
    [{ apps: 'success', infra: 'pending' }, 'pending'],
    [{ apps: 'failure', infra: 'pending' }, 'failure'],
    [{ apps: 'error', infra: 'pending' }, 'pending'],
    // A roll-up that got no verdict in time is final: the deployment ends rather than stay in progress.
    [{ apps: 'success', infra: 'error' }, 'error'],
    [{ apps: 'error', infra: 'failure' }, 'failure'],
  ])('%j is %s', (states, expected) => {
    expect(deploymentOf(rollups(states)).state).toBe(expected);
  });

  it('speaks with the one roll-up of a single object', () => {
    expect(deploymentOf(rollups({ apps: 'error' }))).toEqual({ state: 'error', description: 'error' });
  });
});
