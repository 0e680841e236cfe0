import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyResult, Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfigFile } from '../config/config-file.js';
import { ConfigError } from '../core/errors.js';
import { deadLetterRecord } from '../delivery/redelivery.js';
import { detailsService } from '../details/details-service.js';
import { DynamoDbDeploymentHistory } from '../ledger/dynamodb-deployment-history.js';
import { DynamoDbDetailsStore } from '../ledger/dynamodb-details-store.js';
import { DynamoDbLedger } from '../ledger/dynamodb-ledger.js';
import { DynamoDbPendingIndex } from '../ledger/dynamodb-pending-index.js';
import { DynamoDbRollupLedger } from '../ledger/dynamodb-rollup-ledger.js';
import { MemoryDetailsStore } from '../ledger/memory-details-store.js';
import type { SweepResult } from '../pending/sweep.js';
import { maxAttemptsFrom } from '../queue/delivery-queue.js';
import { SqsQueue } from '../queue/sqs-queue.js';
import { SecretsManagerSource } from '../secrets/secrets-manager-source.js';
import { apiGatewayHandler } from './api-gateway-handler.js';
import { METRICS_NAMESPACE, observeDelivery, SERVICE_NAME } from './observe-delivery.js';
import { createRelay } from './relay.js';
import type { ApiGatewayEvent } from './webhook-request.js';

// The stack bundles the environment's config beside the code; a bad file fails the cold start.
const config = loadConfigFile(
  process.env.CONFIG_FILE ?? fileURLToPath(new URL('./routes.json', import.meta.url)),
);
const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
const { LEDGER_TABLE, RETRY_QUEUE_URL, DEAD_LETTER_QUEUE_URL, RETRY_MAX_ATTEMPTS, DETAILS_BASE_URL } =
  process.env;
const queue = RETRY_QUEUE_URL ? new SqsQueue(RETRY_QUEUE_URL, DEAD_LETTER_QUEUE_URL) : undefined;
const secrets = new SecretsManagerSource();
if (config.detailsPage !== undefined && config.detailsPage.baseUrl === undefined && !DETAILS_BASE_URL) {
  throw new ConfigError('detailsPage: no public base URL; set detailsPage.baseUrl or DETAILS_BASE_URL');
}
// The config refuses detailsPage routes without the ledger's table; the memory store is for tests of the bundle.
const details =
  config.detailsPage === undefined
    ? undefined
    : detailsService(config.detailsPage, {
        secrets,
        store: LEDGER_TABLE ? new DynamoDbDetailsStore(LEDGER_TABLE) : new MemoryDetailsStore(),
        baseUrl: () => DETAILS_BASE_URL,
      });

const routes = new Map(config.routes.map((route) => [route.id, route]));
const { relay, redeliver, sweep } = createRelay({
  routes: config.routes,
  secrets,
  observe: observeDelivery(logger, metrics),
  environments: config.environments,
  ...(LEDGER_TABLE
    ? {
        ledger: new DynamoDbLedger(LEDGER_TABLE),
        rollups: new DynamoDbRollupLedger(LEDGER_TABLE),
        pending: new DynamoDbPendingIndex(LEDGER_TABLE),
        history: new DynamoDbDeploymentHistory(LEDGER_TABLE),
      }
    : {}),
  ...(queue ? { queue } : {}),
  ...(details ? { details: details.links } : {}),
});
const onWebhook = apiGatewayHandler(relay, Date.now, details?.page);

// Powertools Batch loads with the first queue event, keeping it off the webhook's cold start.
let onQueue: Promise<(event: SQSEvent, context: Context) => Promise<SQSBatchResponse>> | undefined;
function queueConsumer(retryQueue: SqsQueue) {
  onQueue ??= import('../queue/sqs-consumer.js').then(({ sqsConsumer }) =>
    sqsConsumer(redeliver, {
      queue: retryQueue,
      maxAttempts: maxAttemptsFrom(RETRY_MAX_ATTEMPTS),
      onDeadLetter: (reason, delivery, attempt) =>
        logger.error('delivery dead-lettered', { ...deadLetterRecord(reason, delivery, attempt, routes) }),
    }),
  );
  return onQueue;
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
  if (result.failed > 0) {
    throw new Error(`the pending sweep could not write ${result.failed} resolutions; they stay due`);
  }
  return result;
}

/**
 * One code for the webhook (API Gateway), the retry queue (SQS) and the pending sweep (an
 * EventBridge schedule, served by a function of its own with its own role).
 */
export async function handler(
  event: ApiGatewayEvent | SQSEvent | ScheduledEvent,
  context: Context,
): Promise<APIGatewayProxyResult | SQSBatchResponse | SweepResult> {
  if (isSchedule(event)) return onSchedule(context);
  if (!isQueueEvent(event)) return onWebhook(event, context);
  if (queue === undefined) throw new Error('an SQS event arrived but RETRY_QUEUE_URL is not set');
  return (await queueConsumer(queue))(event, context);
}
