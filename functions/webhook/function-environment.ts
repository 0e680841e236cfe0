import type { EnvironmentConfig } from '../config/environment-config.js';
import { ConfigError } from '../core/errors.js';
import { maxAttemptsFrom } from '../queue/delivery-queue.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from './observe-delivery.js';

/**
 * The functions of a stack. All run one bundle; each reads what its own events need: the webhook
 * hands failed deliveries to the retry queue and consumes it, the sweep writes resolutions and their
 * links, the details page only reads the records (and a roll-up's clusters).
 */
export const FUNCTION_KINDS = ['webhook', 'sweep', 'details'] as const;
export type FunctionKind = (typeof FUNCTION_KINDS)[number];

/** What the stack knows only at deploy time (a table's name, a queue's URL, the API's origin). */
export interface StackValues {
  ledgerTable?: string;
  retryQueue?: { url: string; deadLetterUrl?: string | undefined; maxAttempts: number };
  /** The details links' origin when the config names none: the API's domain or endpoint. */
  detailsBaseUrl?: string;
  /** Fleet environments' clusters' items, and the FIFO queue of their roll-ups' recomputes. */
  fleet?: { table: string; recomputeQueueUrl?: string | undefined; maxReceives: number };
}

type Value = keyof StackValues;

const READS: Record<FunctionKind, readonly Value[]> = {
  webhook: ['ledgerTable', 'retryQueue', 'detailsBaseUrl', 'fleet'],
  // The sweep's resolution of a pending roll-up recomputes it: the table, not the queue.
  sweep: ['ledgerTable', 'detailsBaseUrl', 'fleet'],
  // A roll-up's page queries its clusters' items in the fleet table.
  details: ['ledgerTable', 'fleet'],
};

/** The one list of names: the stack writes them, the handler reads them. */
const NAMES = {
  kind: 'FUNCTION_KIND',
  ledgerTable: 'LEDGER_TABLE',
  retryQueueUrl: 'RETRY_QUEUE_URL',
  deadLetterQueueUrl: 'DEAD_LETTER_QUEUE_URL',
  retryMaxAttempts: 'RETRY_MAX_ATTEMPTS',
  detailsBaseUrl: 'DETAILS_BASE_URL',
  fleetTable: 'FLEET_TABLE',
  recomputeQueueUrl: 'RECOMPUTE_QUEUE_URL',
  recomputeMaxReceives: 'RECOMPUTE_MAX_RECEIVES',
} as const;

/** The variables of one function of the stack, from the values the stack computed. */
export function functionVariables(kind: FunctionKind, values: StackValues): Record<string, string> {
  const reads = new Set(READS[kind]);
  const { ledgerTable, retryQueue, detailsBaseUrl, fleet } = values;
  return {
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    // Stack traces in the log point at the TypeScript sources, not at the minified bundle.
    NODE_OPTIONS: '--enable-source-maps',
    [NAMES.kind]: kind,
    ...(reads.has('ledgerTable') && ledgerTable !== undefined ? { [NAMES.ledgerTable]: ledgerTable } : {}),
    ...(reads.has('retryQueue') && retryQueue !== undefined
      ? {
          [NAMES.retryQueueUrl]: retryQueue.url,
          ...(retryQueue.deadLetterUrl === undefined
            ? {}
            : { [NAMES.deadLetterQueueUrl]: retryQueue.deadLetterUrl }),
          [NAMES.retryMaxAttempts]: String(retryQueue.maxAttempts),
        }
      : {}),
    ...(reads.has('detailsBaseUrl') && detailsBaseUrl !== undefined
      ? { [NAMES.detailsBaseUrl]: detailsBaseUrl }
      : {}),
    ...(reads.has('fleet') && fleet !== undefined ? fleetVariables(kind, fleet) : {}),
  };
}

function fleetVariables(
  kind: FunctionKind,
  fleet: NonNullable<StackValues['fleet']>,
): Record<string, string> {
  // Only the webhook reports and consumes; the sweep recomputes in place; the pages only read.
  if (kind !== 'webhook' || fleet.recomputeQueueUrl === undefined) return { [NAMES.fleetTable]: fleet.table };
  return {
    [NAMES.fleetTable]: fleet.table,
    [NAMES.recomputeQueueUrl]: fleet.recomputeQueueUrl,
    [NAMES.recomputeMaxReceives]: String(fleet.maxReceives),
  };
}

/** A function's kind and values, read back at cold start; the webhook's when no kind is set (tests, the bench). */
export function readFunctionEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  config: Pick<EnvironmentConfig, 'detailsPage'>,
): { kind: FunctionKind; values: StackValues } {
  const kind = (env[NAMES.kind] ?? 'webhook') as FunctionKind;
  if (!FUNCTION_KINDS.includes(kind)) {
    throw new ConfigError(`${NAMES.kind}: "${kind}" is none of ${FUNCTION_KINDS.join(', ')}`);
  }
  const reads = new Set(READS[kind]);
  const ledgerTable = env[NAMES.ledgerTable] || undefined;
  const queueUrl = env[NAMES.retryQueueUrl] || undefined;
  const detailsBaseUrl = env[NAMES.detailsBaseUrl] || undefined;
  const fleetTable = env[NAMES.fleetTable] || undefined;
  const needsBaseUrl = config.detailsPage !== undefined && config.detailsPage.baseUrl === undefined;
  if (reads.has('detailsBaseUrl') && needsBaseUrl && detailsBaseUrl === undefined) {
    throw new ConfigError(
      `detailsPage: no public base URL; set detailsPage.baseUrl or ${NAMES.detailsBaseUrl}`,
    );
  }
  return {
    kind,
    values: {
      ...(ledgerTable === undefined ? {} : { ledgerTable }),
      ...(queueUrl === undefined
        ? {}
        : {
            retryQueue: {
              url: queueUrl,
              deadLetterUrl: env[NAMES.deadLetterQueueUrl] || undefined,
              maxAttempts: maxAttemptsFrom(env[NAMES.retryMaxAttempts]),
            },
          }),
      ...(detailsBaseUrl === undefined ? {} : { detailsBaseUrl }),
      ...(fleetTable === undefined
        ? {}
        : {
            fleet: {
              table: fleetTable,
              recomputeQueueUrl: env[NAMES.recomputeQueueUrl] || undefined,
              maxReceives: maxAttemptsFrom(env[NAMES.recomputeMaxReceives]),
            },
          }),
    },
  };
}
