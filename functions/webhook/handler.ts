import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { loadConfigFile } from '../core/config-file.js';
import { SecretsManagerSource } from '../secrets/secrets-manager-source.js';
import { apiGatewayHandler } from './api-gateway-handler.js';
import { METRICS_NAMESPACE, observeDelivery, SERVICE_NAME } from './observe-delivery.js';
import { createRelay } from './relay.js';

// The stack bundles the environment's config beside the code; a bad file fails the cold start.
const config = loadConfigFile(
  process.env.CONFIG_FILE ?? fileURLToPath(new URL('./routes.json', import.meta.url)),
);
const logger = new Logger({ serviceName: SERVICE_NAME });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

export const handler = apiGatewayHandler(
  createRelay({
    routes: config.routes,
    secrets: new SecretsManagerSource(),
    observe: observeDelivery(logger, metrics),
  }),
);
