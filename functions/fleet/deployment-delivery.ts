import { randomUUID } from 'node:crypto';
import type { DeploymentSettings } from '../config/fleet-environments.js';
import type { Route } from '../config/route-schema.js';
import type { StatusState } from '../core/commit-status.js';
import { CONFLICT, compareAndSwap } from '../core/compare-and-swap.js';
import {
  ClaimInFlightError,
  isPassingFault,
  OrderingContentionError,
  RouteMisconfiguredError,
} from '../core/errors.js';
import type { Preview } from '../core/preview.js';
import { renderTemplate } from '../core/template.js';
import { WRITE_GRACE_MS } from '../delivery/budget.js';
import type { ForgeClients } from '../delivery/forge-clients.js';
import type { KeyedSerializer } from '../delivery/keyed-serializer.js';
import { deliverInOrder, type OrderedOutcome } from '../delivery/ordering.js';
import type { SecretScope } from '../delivery/secret-scope.js';
import { canReadRange } from '../forges/commit-range.js';
import {
  canDeploy,
  type DeploymentWriteOptions,
  type DeploymentWriter,
  type NewDeployment,
} from '../forges/forge.js';
import type { DeploymentHistoryStore } from '../ledger/deployment-history.js';
import { type RollupLedger, type RollupRecord, rollupSequence } from '../ledger/rollup-ledger.js';
import { eventOrder, ledgerKey, type StatusLedger } from '../ledger/status-ledger.js';
import { ledgerCall } from '../ledger/store-call.js';
import type { ClusterVerdict, Rollup } from './rollup.js';
import { rollupHistoryKey } from './rollup-place.js';
import { recordVerdict } from './verdict-record.js';

/** Deployment records share the ledger's table under their own prefix, as roll-up records do. */
const DEPLOYMENT_KEY_PREFIX = 'deployment';

/**
 * The deployment's verdict from the roll-ups of the environment's objects on the commit: failure
 * when one failed, pending (`in_progress` on GitHub) while one is pending, success when all that
 * reported succeeded, `error` when the others succeeded and some got no verdict in time. One
 * object's roll-up speaks for itself.
 */
export function deploymentOf(rollups: Readonly<Record<string, ClusterVerdict>>): Rollup {
  const entries = Object.entries(rollups).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const [only] = entries;
  if (entries.length === 1 && only !== undefined) {
    return { state: only[1].state, description: only[1].description };
  }
  const failing = entries.filter(([, rollup]) => rollup.state === 'failure').map(([context]) => context);
  const succeeded = entries.filter(([, rollup]) => rollup.state === 'success').length;
  // An object's roll-up that got no verdict in time (`error`) is final too: the deployment ends.
  const unverified = entries.filter(([, rollup]) => rollup.state === 'error').length;
  const state: StatusState =
    failing.length > 0
      ? 'failure'
      : succeeded === entries.length
        ? 'success'
        : succeeded + unverified === entries.length
          ? 'error'
          : 'pending';
  const counted = `${succeeded}/${entries.length} objects reconciled`;
  return { state, description: failing.length > 0 ? `${counted}, failing: ${failing.join(', ')}` : counted };
}

export interface DeploymentJob {
  route: Route;
  environment: string;
  settings: DeploymentSettings;
  /** The roll-up this delivery computed: its context, its sequence and its verdict. */
  context: string;
  rollupSequence: number;
  rollup: Rollup;
  sha: string;
  ref?: string;
  deadline: number;
  scope: SecretScope;
  /** The reports' preview environment: its URL and change request (core/preview.ts). */
  preview?: Preview;
  /** The newest event time (epoch ms) of the roll-up's reports: a change request's commits' order. */
  eventTime: number;
  /** The environment's `rangeLimit`; undefined when its `rangeStatuses` are off. */
  rangeLimit?: number | undefined;
  /** Set by the FIFO consumer: a write GitHub's spacing would hold longer throws WriteDeferredError. */
  deferAfterMs?: number | undefined;
}

/** A deployment write's options: the deadline, and the spacing the consumer would rather hand back. */
function writeOptions(job: DeploymentJob): DeploymentWriteOptions {
  return job.deferAfterMs === undefined
    ? { deadline: job.deadline }
    : { deadline: job.deadline, deferAfterMs: job.deferAfterMs };
}

export interface DeploymentDeliveryOptions {
  ledger: StatusLedger;
  rollups: RollupLedger;
  clients: ForgeClients;
  serializer: KeyedSerializer;
  now: () => number;
  /** What the environment's roll-ups settled on: the deployment lists the commits since (`payload`). */
  history?: DeploymentHistoryStore | undefined;
}

/** The deployment record of a commit and environment: the roll-ups of its objects, its deployment id. */
export function deploymentRecordKey(route: Route, sha: string, environment: string): string {
  const { type, apiUrl, address } = route.provider;
  return ledgerKey([DEPLOYMENT_KEY_PREFIX, type, apiUrl ?? '', address, sha, environment]);
}

/**
 * One GitHub deployment per (commit, environment), its statuses written as the roll-ups are: each
 * object's roll-up goes into the deployment record (advancing only to a newer roll-up record), and
 * the deployment status, a pure function of that record, goes through the ordering protocol with
 * the record's sequence (`rollupSequence`: created at, then version) as its event time. The deployment itself is created once: claimed in the
 * record, looked up on GitHub first (a claim that expired may have created it), then stored.
 */
export function createDeploymentDelivery(options: DeploymentDeliveryOptions) {
  const { ledger, rollups, clients, serializer, now } = options;

  return async (job: DeploymentJob): Promise<OrderedOutcome> => {
    const { route, environment, settings, sha, deadline, scope } = job;
    const { type, apiUrl, address } = route.provider;
    const key = deploymentRecordKey(route, sha, environment);
    const shownRollup = { ...job.rollup, targetUrl: '' };
    const identity = ledgerKey([
      `${DEPLOYMENT_KEY_PREFIX}-status`,
      type,
      apiUrl ?? '',
      address,
      sha,
      environment,
    ]);
    // A record made anew (the old one expired) starts after every sequence its status was written
    // with, as a roll-up record does: its statuses never lose to the old record's claims.
    const createdAt = async () => {
      const item = await ledgerCall(() => ledger.read(identity));
      return Math.max(now(), Math.floor((item?.claim.eventTime ?? 0) / 1000) + 1);
    };
    const record = await recordVerdict(
      rollups,
      key,
      job.context,
      { order: eventOrder(job.rollupSequence, shownRollup), ...job.rollup },
      createdAt,
    );
    const deployment = deploymentOf(record.verdicts ?? {});
    const values = { environment, sha, ref: job.ref ?? '' };
    const environmentUrl =
      job.preview?.url ??
      (settings.environmentUrl && renderTemplate(settings.environmentUrl, values, encodeURIComponent));
    const changeRequest = job.preview?.changeRequest;
    const place =
      changeRequest === undefined
        ? undefined
        : { clients, rollups, route, environment, changeRequest, deadline, scope };
    const preview =
      place === undefined
        ? undefined
        : await currentOfChangeRequest(
            rollups,
            previewRecordKey(route, environment, place.changeRequest),
            job,
            now,
          );
    if (place !== undefined && preview !== undefined && preview.sha !== sha) {
      // An older commit of the change request: what runs there is the newer one's, never this one.
      await inactivate(place, sha, preview.sha);
      return 'superseded';
    }
    const logUrl = settings.logUrl && renderTemplate(settings.logUrl, values, encodeURIComponent);
    return serializer.run(identity, () =>
      deliverInOrder({
        ledger,
        key: identity,
        eventTime: rollupSequence(record),
        status: { ...deployment, targetUrl: '' },
        writerId: randomUUID(),
        writeExpiresAt: deadline + WRITE_GRACE_MS,
        now,
        write: async (target, forgeShows) => {
          const client = await clients.client(route, scope);
          if (!canDeploy(client)) throw new RouteMisconfiguredError('GitHub Deployments need a GitHub route');
          const id = await ensureDeployment(client, {
            ...job,
            key,
            now,
            rollups,
            history: options.history,
            transient: preview !== undefined,
          });
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
            writeOptions(job),
          );
          if (place !== undefined) await settlePreview(place, sha);
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
  history: DeploymentHistoryStore | undefined;
  transient: boolean;
}

/** A change request's preview record: which of its commits' deployments is current. */
function previewRecordKey(route: Route, environment: string, changeRequest: number): string {
  const { type, apiUrl, address } = route.provider;
  return ledgerKey([
    `${DEPLOYMENT_KEY_PREFIX}-preview`,
    type,
    apiUrl ?? '',
    address,
    environment,
    String(changeRequest),
  ]);
}

type Current = NonNullable<RollupRecord['current']>;

/** The replaced commits a preview record keeps: more than a burst of pushes within one delivery. */
const PREVIOUS_LIMIT = 10;

/**
 * The change request's current commit after this report: this one when its reports are the newest
 * (event times, compared only with event times; the sha breaks a tie), recording the one it replaced
 * so that its deployment is set inactive (GitHub's auto_inactive skips transient environments).
 */
function currentOfChangeRequest(
  rollups: RollupLedger,
  key: string,
  job: DeploymentJob,
  now: () => number,
): Promise<Current> {
  return compareAndSwap('the preview record', async () => {
    const record = await ledgerCall(() => rollups.read(key));
    const held = record?.current;
    const newer =
      held === undefined ||
      job.eventTime > held.eventTime ||
      (job.eventTime === held.eventTime && job.sha > held.sha);
    if (held !== undefined && held.sha !== job.sha && !newer) return held;
    if (held !== undefined && held.sha === job.sha && job.eventTime <= held.eventTime) return held;
    // Every commit it replaced, newest first and bounded: a burst of pushes replaces several before
    // their deliveries settle, and each of their deployments must end inactive.
    const replaced = held === undefined || held.sha === job.sha ? [] : [held.sha];
    const previous = [...replaced, ...(held?.previous ?? [])]
      .filter((each) => each !== job.sha)
      .slice(0, PREVIOUS_LIMIT);
    const current: Current = {
      sha: job.sha,
      eventTime: Math.max(job.eventTime, held?.eventTime ?? 0),
      ...(previous.length === 0 ? {} : { previous }),
    };
    const next: RollupRecord = {
      ...(record ?? { createdAt: now() }),
      current,
      version: (record?.version ?? 0) + 1,
    };
    return (await ledgerCall(() => rollups.swap(key, record?.version, next))) ? current : CONFLICT;
  });
}

/** Where a change request's preview deployments are settled. */
interface PreviewPlace {
  clients: ForgeClients;
  rollups: RollupLedger;
  route: Route;
  environment: string;
  changeRequest: number;
  deadline: number;
  scope: SecretScope;
}

/** Sets the deployment of `sha` inactive, when it has one and does not show so already. */
async function inactivate(place: PreviewPlace, sha: string, newer: string): Promise<void> {
  const { clients, rollups, route, environment, changeRequest, deadline, scope } = place;
  const id = (await ledgerCall(() => rollups.read(deploymentRecordKey(route, sha, environment))))
    ?.deploymentId;
  if (id === undefined) return;
  const client = await clients.client(route, scope);
  if (!canDeploy(client)) throw new RouteMisconfiguredError('GitHub Deployments need a GitHub route');
  const description = `superseded by ${newer.slice(0, 7)} of change request #${changeRequest}`;
  if (await client.deploymentShows(id, 'inactive', description, { deadline })) return;
  await client.createDeploymentStatus(
    id,
    { state: 'inactive', description, autoInactive: false },
    { deadline },
  );
}

/**
 * After a preview's status is written: the commits it replaced are set inactive, and if a newer
 * commit became current meanwhile, this one is (its own delivery may have read this deployment's id
 * before it existed). Both sides look after their own write, so one of them always sees the other.
 */
async function settlePreview(place: PreviewPlace, sha: string): Promise<void> {
  const key = previewRecordKey(place.route, place.environment, place.changeRequest);
  const current = (await ledgerCall(() => place.rollups.read(key)))?.current;
  if (current === undefined) return;
  if (current.sha !== sha) return inactivate(place, sha, current.sha);
  for (const previous of current.previous ?? []) await inactivate(place, previous, sha);
}

/** The deployment's id: stored, found on GitHub, or created by the one delivery holding the claim. */
async function ensureDeployment(client: DeploymentWriter, job: Creation): Promise<number> {
  const { rollups, key, deadline } = job;
  const claimId = randomUUID();
  const claimed = await compareAndSwap('the deployment record', async () => {
    const record = await ledgerCall(() => rollups.read(key));
    if (record === undefined) throw new OrderingContentionError('the deployment record is gone');
    if (record.deploymentId !== undefined) return record.deploymentId;
    const held = record.creation;
    if (held !== undefined && held.claimId !== claimId && held.until > job.now()) {
      throw new ClaimInFlightError(
        'another delivery is creating the deployment; this one will look again from the retry queue',
      );
    }
    const next: RollupRecord = {
      ...record,
      creation: { claimId, until: deadline + WRITE_GRACE_MS },
      version: record.version + 1,
    };
    return (await ledgerCall(() => rollups.swap(key, record.version, next))) ? 'claimed' : CONFLICT;
  });
  if (claimed !== 'claimed') return claimed;
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
          ...(job.transient ? { transientEnvironment: true } : {}),
          ...(await carriedCommits(client, job)),
        },
        writeOptions(job),
      ));
  } catch (error) {
    // The next delivery may claim at once; if this create did land, its lookup finds it.
    await releaseCreation(rollups, key, claimId).catch(() => undefined);
    throw error;
  }
  return storeDeployment(rollups, key, id);
}

/**
 * What the deployment carries, as GitHub keeps it for good (a deployment's payload never changes):
 * the first-parent commits since the one the environment's roll-up on this context last settled on
 * (W), newest first, at most `rangeLimit`, in its `payload`, and their count in its description, so
 * that the environment page tells what shipped. Nothing when nothing settled before, on a rollback or
 * a force push, or when the forge refuses the range for good; a passing fault is retried.
 */
async function carriedCommits(
  client: DeploymentWriter,
  job: Creation,
): Promise<Partial<Pick<NewDeployment, 'payload' | 'description'>>> {
  const { history, rangeLimit, route, environment, context, sha, deadline } = job;
  if (history === undefined || rangeLimit === undefined || !canReadRange(client)) return {};
  const settled = await ledgerCall(() => history.read(rollupHistoryKey(route, environment, context)));
  const entries = settled?.settled ?? [];
  // Once the commit itself settled, W is the commit settled just before it, as for its statuses.
  const own = entries.find((entry) => entry.sha === sha);
  const base = entries
    .filter((entry) => entry.sha !== sha && (own === undefined || entry.order < own.order))
    .at(-1)?.sha;
  if (base === undefined) return {};
  try {
    const range = await client.commitRange(base, sha, { limit: rangeLimit, deadline });
    if (!range.descends) return {};
    const { commits, left, more } = range;
    const counted = `${commits.length + left}${more ? '+' : ''} commits since ${base.slice(0, 7)}`;
    return {
      description: `Flux: the clusters of ${environment}; ${counted}`,
      payload: { carried: { base, commits, left, ...(more ? { more } : {}) } },
    };
  } catch (error) {
    if (isPassingFault(error)) throw error;
    return {};
  }
}

function releaseCreation(rollups: RollupLedger, key: string, claimId: string): Promise<void> {
  return compareAndSwap('the deployment record', async () => {
    const record = await ledgerCall(() => rollups.read(key));
    if (record?.creation?.claimId !== claimId) return;
    const next: RollupRecord = { ...record, version: record.version + 1 };
    delete next.creation;
    return (await ledgerCall(() => rollups.swap(key, record.version, next))) ? undefined : CONFLICT;
  });
}

function storeDeployment(rollups: RollupLedger, key: string, id: number): Promise<number> {
  return compareAndSwap('the deployment record', async () => {
    const record = await ledgerCall(() => rollups.read(key));
    if (record === undefined) throw new OrderingContentionError('the deployment record is gone');
    // Another delivery stored one first (this one's claim had expired): both name the same deployment
    // unless a create raced a lookup, and the stored one wins for every later status.
    if (record.deploymentId !== undefined) return record.deploymentId;
    const next: RollupRecord = { ...record, deploymentId: id, version: record.version + 1 };
    delete next.creation;
    return (await ledgerCall(() => rollups.swap(key, record.version, next))) ? id : CONFLICT;
  });
}
