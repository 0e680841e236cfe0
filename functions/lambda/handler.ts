import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyResult, Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfigFile } from '../config/config-file.js';
import {
  METRICS_NAMESPACE,
  ROUTES_WITHOUT_SUCCESS_METRIC,
  readFunctionEnvironment,
  SERVICE_NAME,
} from '../config/function-environment.js';
import { checkConfigExpressions } from '../expressions/route-status-names.js';
import { FifoRecomputes } from '../fleet/fifo-recomputes.js';
import { DynamoDbClusterVerdicts } from '../ledger/dynamodb-cluster-verdicts.js';
import { DynamoDbDeploymentHistory } from '../ledger/dynamodb-deployment-history.js';
import { DynamoDbDetailsStore } from '../ledger/dynamodb-details-store.js';
import { DynamoDbLedger } from '../ledger/dynamodb-ledger.js';
import { DynamoDbPendingIndex } from '../ledger/dynamodb-pending-index.js';
import { DynamoDbRollupLedger } from '../ledger/dynamodb-rollup-ledger.js';
import { MemoryDetailsStore } from '../ledger/memory-details-store.js';
import type { SweepResult } from '../pending/sweep.js';
import { FifoQueue } from '../queue/fifo-queue.js';
import { SqsQueue } from '../queue/sqs-queue.js';
import { SecretsManagerSource } from '../secrets/secrets-manager-source.js';
import { createService } from '../service/create-service.js';
import { createDeliveryObserver, createDetailsFailureObserver } from '../webhook/observe-delivery.js';
import type { ApiGatewayEvent } from '../webhook/webhook-request.js';

// The stack bundles the environment's config beside the code; a bad file fails the cold start.
const configFile = process.env.CONFIG_FILE ?? fileURLToPath(new URL('./routes.json', import.meta.url));
const config = loadConfigFile(configFile);
// Only a config with a commitStatusExpr (a route's or an environment's) loads the CEL evaluator, here, once per container.
await checkConfigExpressions(config, configFile);
const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
// What the stack gave this function (functions/config/function-environment.ts); a gap fails the cold start.
const { values } = readFunctionEnvironment(process.env, config);
const { ledgerTable, retryQueue, detailsBaseUrl, fleet } = values;
const queue = retryQueue ? new SqsQueue(retryQueue.url, retryQueue.deadLetterUrl) : undefined;
const recomputeQueue = fleet?.recomputeQueueUrl ? new FifoQueue(fleet.recomputeQueueUrl) : undefined;
const {
  onApiGateway: onWebhook,
  redeliver,
  sweep,
  recompute,
  recomputes: inProcessRecomputes,
  deadLetterRecord,
} = createService({
  routes: config.routes,
  secrets: new SecretsManagerSource(),
  observe: createDeliveryObserver(logger, metrics),
  environments: config.environments,
  ...(ledgerTable
    ? {
        ledger: new DynamoDbLedger(ledgerTable),
        pending: new DynamoDbPendingIndex(ledgerTable),
        history: new DynamoDbDeploymentHistory(ledgerTable),
        // The roll-ups' records (sequence, resolution, promotion, deployment and preview claims).
        rollups: new DynamoDbRollupLedger(ledgerTable),
      }
    : {}),
  // Every cluster's newest verdict, shared by every container and the roll-ups' consumer.
  ...(fleet ? { clusters: new DynamoDbClusterVerdicts(fleet.table) } : {}),
  ...(recomputeQueue ? { recomputes: new FifoRecomputes(recomputeQueue) } : {}),
  ...(queue ? { queue } : {}),
  // The config refuses detailsPage routes without the ledger's table; the memory store is for tests of the bundle.
  ...(config.detailsPage === undefined
    ? {}
    : {
        detailsPage: {
          settings: config.detailsPage,
          store: ledgerTable ? new DynamoDbDetailsStore(ledgerTable) : new MemoryDetailsStore(),
          baseUrl: () => detailsBaseUrl,
          observe: createDetailsFailureObserver(logger, metrics),
        },
      }),
});

// Powertools Batch loads with the first queue event, keeping it off the webhook's cold start.
let onQueue: Promise<(event: SQSEvent, context: Context) => Promise<SQSBatchResponse>> | undefined;
function queueConsumer(sqs: SqsQueue, maxAttempts: number) {
  onQueue ??= import('../queue/sqs-consumer.js').then(({ createSqsConsumer }) =>
    createSqsConsumer(redeliver, {
      queue: sqs,
      maxAttempts,
      onDeadLetter: (reason, delivery, attempt) =>
        logger.error('delivery dead-lettered', { ...deadLetterRecord(reason, delivery, attempt) }),
    }),
  );
  return onQueue;
}

let onRecompute: Promise<(event: SQSEvent, context: Context) => Promise<SQSBatchResponse>> | undefined;
function recomputes() {
  onRecompute ??= import('../fleet/recompute-consumer.js').then(({ createRecomputeConsumer }) =>
    createRecomputeConsumer(recompute, {
      maxReceiveCount: fleet?.maxReceives ?? 8,
      ...(recomputeQueue ? { postpone: recomputeQueue.postpone.bind(recomputeQueue) } : {}),
      onDeadLetter: (reason, request, attempt) =>
        logger.error('roll-up recompute dead-lettered', { reason, attempt, ...request }),
    }),
  );
  return onRecompute;
}

/** The roll-ups' FIFO queue: its messages name a `.fifo` queue as their source. */
function isRecomputeEvent(event: SQSEvent): boolean {
  return event.Records.some((record) => record.eventSourceARN.endsWith('.fifo'));
}

function isQueueEvent(event: ApiGatewayEvent | SQSEvent | ScheduledEvent): event is SQSEvent {
  return Array.isArray((event as SQSEvent).Records);
}

function isSchedule(event: ApiGatewayEvent | SQSEvent | ScheduledEvent): event is ScheduledEvent {
  return (event as ScheduledEvent)['detail-type'] === 'Scheduled Event';
}

/** The pending sweep's run; one that left resolutions unwritten fails, which raises its alarm. */
async function onSchedule(context: Context): Promise<SweepResult> {
  const result = await sweep(Date.now() + context.getRemainingTimeInMillis());
  logger.info('pending sweep', { ...result });
  // One figure a run, for an alarm on clusters that stopped sending success events (the docs say why).
  metrics.addMetric(ROUTES_WITHOUT_SUCCESS_METRIC, MetricUnit.Count, result.silentRoutes);
  metrics.publishStoredMetrics();
  if (result.failed > 0) {
    throw new Error(`the pending sweep could not write ${result.failed} resolutions; they stay due`);
  }
  return result;
}

/**
 * One code for the webhook (API Gateway), the retry queue (SQS), the roll-ups' recompute queue (SQS
 * FIFO) and the pending sweep (an EventBridge schedule, served by a function of its own with its
 * own role).
 */
export async function handler(
  event: ApiGatewayEvent | SQSEvent | ScheduledEvent,
  context: Context,
): Promise<APIGatewayProxyResult | SQSBatchResponse | SweepResult> {
  if (isSchedule(event)) return onSchedule(context);
  if (!isQueueEvent(event)) {
    const answer = await onWebhook(event, context);
    // Without the FIFO queue (no ledger) the roll-ups are recomputed in this container: Lambda
    // freezes it once the answer is returned, so the answer waits for them.
    await inProcessRecomputes?.idle();
    return answer;
  }
  if (isRecomputeEvent(event)) return (await recomputes())(event, context);
  if (queue === undefined || retryQueue === undefined) {
    throw new Error('an SQS event arrived but RETRY_QUEUE_URL is not set');
  }
  return (await queueConsumer(queue, retryQueue.maxAttempts))(event, context);
}
