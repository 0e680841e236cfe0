import { randomUUID } from 'node:crypto';
import type { Route } from '../config/route-schema.js';
import type { StatusState } from '../core/commit-status.js';
import { ClaimInFlightError, OrderingContentionError, RouteMisconfiguredError } from '../core/errors.js';
import { renderTemplate } from '../core/template.js';
import { WRITE_GRACE_MS } from '../delivery/budget.js';
import type { ForgeClients } from '../delivery/forge-clients.js';
import type { KeyedSerializer } from '../delivery/keyed-serializer.js';
import { deliverInOrder, type OrderedOutcome } from '../delivery/ordering.js';
import type { SecretScope } from '../delivery/secret-scope.js';
import { canDeploy, type DeploymentWriter } from '../forges/forge.js';
import type { RollupLedger, RollupRecord } from '../ledger/rollup-ledger.js';
import { eventOrder, ledgerKey, type StatusLedger } from '../ledger/status-ledger.js';
import type { DeploymentSettings } from './environments-config.js';
import type { ClusterVerdict, Rollup } from './rollup.js';
import { ledgerCall, recordVerdict } from './verdict-record.js';

/** Deployment records share the ledger's table under their own prefix, as roll-up records do. */
const DEPLOYMENT_KEY_PREFIX = 'deployment';
const MAX_ROUNDS = 20;

/**
 * The deployment's verdict from the roll-ups of the environment's objects on the commit: failure
 * when one failed, pending (`in_progress` on GitHub) while one is pending, success when all that
 * reported succeeded. One object's roll-up speaks for itself.
 */
export function deploymentOf(rollups: Readonly<Record<string, ClusterVerdict>>): Rollup {
  const entries = Object.entries(rollups).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const [only] = entries;
  if (entries.length === 1 && only !== undefined) {
    return { state: only[1].state, description: only[1].description };
  }
  const failing = entries.filter(([, rollup]) => rollup.state === 'failure').map(([context]) => context);
  const succeeded = entries.filter(([, rollup]) => rollup.state === 'success').length;
  const state: StatusState =
    failing.length > 0 ? 'failure' : succeeded === entries.length ? 'success' : 'pending';
  const counted = `${succeeded}/${entries.length} objects reconciled`;
  return { state, description: failing.length > 0 ? `${counted}, failing: ${failing.join(', ')}` : counted };
}

export interface DeploymentJob {
  route: Route;
  environment: string;
  settings: DeploymentSettings;
  /** The roll-up this delivery computed: its context, its record's version and its verdict. */
  context: string;
  rollupVersion: number;
  rollup: Rollup;
  sha: string;
  ref?: string;
  deadline: number;
  scope: SecretScope;
}

export interface DeploymentDeliveryOptions {
  ledger: StatusLedger;
  rollups: RollupLedger;
  clients: ForgeClients;
  serializer: KeyedSerializer;
  now: () => number;
}

/**
 * One GitHub deployment per (commit, environment), its statuses written as the roll-ups are: each
 * object's roll-up goes into the deployment record (advancing only to a newer roll-up record), and
 * the deployment status, a pure function of that record, goes through the ordering protocol with
 * the record's version as its event time. The deployment itself is created once: claimed in the
 * record, looked up on GitHub first (a claim that expired may have created it), then stored.
 */
export function deploymentDelivery(options: DeploymentDeliveryOptions) {
  const { ledger, rollups, clients, serializer, now } = options;

  return async (job: DeploymentJob): Promise<OrderedOutcome> => {
    const { route, environment, settings, sha, deadline, scope } = job;
    const { type, apiUrl, address } = route.provider;
    const key = ledgerKey([DEPLOYMENT_KEY_PREFIX, type, apiUrl ?? '', address, sha, environment]);
    const shownRollup = { ...job.rollup, targetUrl: '' };
    const record = await recordVerdict(rollups, key, job.context, {
      order: eventOrder(job.rollupVersion, shownRollup),
      ...job.rollup,
    });
    const deployment = deploymentOf(record.verdicts);
    const values = { environment, sha, ref: job.ref ?? '' };
    const environmentUrl =
      settings.environmentUrl && renderTemplate(settings.environmentUrl, values, encodeURIComponent);
    const logUrl = settings.logUrl && renderTemplate(settings.logUrl, values, encodeURIComponent);
    const identity = ledgerKey([
      `${DEPLOYMENT_KEY_PREFIX}-status`,
      type,
      apiUrl ?? '',
      address,
      sha,
      environment,
    ]);
    return serializer.run(identity, () =>
      deliverInOrder({
        ledger,
        key: identity,
        eventTime: record.version,
        status: { ...deployment, targetUrl: '' },
        writerId: randomUUID(),
        writeExpiresAt: deadline + WRITE_GRACE_MS,
        now,
        write: async (target, forgeShows) => {
          const client = await clients.client(route, scope);
          if (!canDeploy(client)) throw new RouteMisconfiguredError('GitHub Deployments need a GitHub route');
          const id = await ensureDeployment(client, { ...job, key, now, rollups });
          const state = target.state === 'pending' ? 'in_progress' : target.state;
          if (
            forgeShows === undefined &&
            (await client.deploymentShows(id, state, target.description, { deadline }))
          ) {
            return 'duplicate';
          }
          await client.createDeploymentStatus(
            id,
            {
              state,
              description: target.description,
              autoInactive: settings.autoInactive,
              ...(environmentUrl ? { environmentUrl } : {}),
              ...(logUrl ? { logUrl } : {}),
            },
            { deadline },
          );
          return 'written';
        },
      }),
    );
  };
}

interface Creation extends DeploymentJob {
  key: string;
  rollups: RollupLedger;
  now: () => number;
}

/** The deployment's id: stored, found on GitHub, or created by the one delivery holding the claim. */
async function ensureDeployment(client: DeploymentWriter, job: Creation): Promise<number> {
  const { rollups, key, deadline } = job;
  const claimId = randomUUID();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const record = await ledgerCall(() => rollups.read(key));
    if (record === undefined) throw new OrderingContentionError('the deployment record is gone');
    if (record.deploymentId !== undefined) return record.deploymentId;
    const held = record.creation;
    if (held !== undefined && held.claimId !== claimId && held.until > job.now()) {
      throw new ClaimInFlightError(
        'another delivery is creating the deployment; this one will look again from the retry queue',
      );
    }
    const claimed: RollupRecord = {
      ...record,
      creation: { claimId, until: deadline + WRITE_GRACE_MS },
      version: record.version + 1,
    };
    if (!(await ledgerCall(() => rollups.swap(key, record.version, claimed)))) continue;
    let id: number;
    try {
      id =
        (await client.findDeployment(job.sha, job.environment, { deadline })) ??
        (await client.createDeployment(
          {
            sha: job.sha,
            environment: job.environment,
            description: `Flux: the clusters of ${job.environment}`,
            ...(job.settings.productionEnvironment === undefined
              ? {}
              : { productionEnvironment: job.settings.productionEnvironment }),
          },
          { deadline },
        ));
    } catch (error) {
      // The next delivery may claim at once; if this create did land, its lookup finds it.
      await releaseCreation(rollups, key, claimId).catch(() => undefined);
      throw error;
    }
    return storeDeployment(rollups, key, id);
  }
  throw new OrderingContentionError(`the deployment record changed on each of ${MAX_ROUNDS} rounds`);
}

async function releaseCreation(rollups: RollupLedger, key: string, claimId: string): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const record = await ledgerCall(() => rollups.read(key));
    if (record?.creation?.claimId !== claimId) return;
    const next: RollupRecord = { ...record, version: record.version + 1 };
    delete next.creation;
    if (await ledgerCall(() => rollups.swap(key, record.version, next))) return;
  }
}

async function storeDeployment(rollups: RollupLedger, key: string, id: number): Promise<number> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const record = await ledgerCall(() => rollups.read(key));
    if (record === undefined) throw new OrderingContentionError('the deployment record is gone');
    // Another delivery stored one first (this one's claim had expired): both name the same deployment
    // unless a create raced a lookup, and the stored one wins for every later status.
    if (record.deploymentId !== undefined) return record.deploymentId;
    const next: RollupRecord = { ...record, deploymentId: id, version: record.version + 1 };
    delete next.creation;
    if (await ledgerCall(() => rollups.swap(key, record.version, next))) return id;
  }
  throw new OrderingContentionError(`the deployment record changed on each of ${MAX_ROUNDS} rounds`);
}
