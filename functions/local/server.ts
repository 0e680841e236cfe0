import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadConfigFile } from '../config/config-file.js';
import { ConfigError } from '../core/errors.js';
import { deadLetterRecord } from '../delivery/redelivery.js';
import { checkConfigExpressions } from '../expressions/route-status-names.js';
import { rollupPages } from '../fleet/rollup-page.js';
import { rollupTargets } from '../fleet/rollup-place.js';
import { MemoryClusterVerdicts } from '../ledger/memory-cluster-verdicts.js';
import { MemoryDetailsStore } from '../ledger/memory-details-store.js';
import { MemoryRollupLedger } from '../ledger/memory-rollup-ledger.js';
import { maxAttemptsFrom } from '../queue/delivery-queue.js';
import { InProcessQueue } from '../queue/in-process-queue.js';
import { FileSecretSource } from '../secrets/file-source.js';
import type { SecretSource } from '../secrets/secret-source.js';
import { type ApiGatewayHandler, apiGatewayHandler } from '../webhook/api-gateway-handler.js';
import { detailsService } from '../webhook/details-service.js';
import { observeDelivery, observeDetailsFailure, SERVICE_NAME } from '../webhook/observe-delivery.js';
import { createRelay, MAX_BODY_BYTES, type RelayOptions } from '../webhook/relay.js';

export interface LocalServerOptions {
  configFile: string;
  secrets: SecretSource;
  port?: number;
  logger?: Logger;
  relay?: Partial<RelayOptions>;
  /** The retry queue's waits against the Lambda's (30 s doubling to 15 min); a tenth by default. */
  retryBackoffScale?: number;
  /** How often the pending sweep runs (the stack's schedule runs it every few minutes); 60 s by default. */
  sweepIntervalMs?: number;
}

/** Reads at most `limit + 1` bytes: enough for the handler to see that a body is too large. */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    if (size <= limit) chunks.push(buffer.subarray(0, limit + 1 - size));
    size += buffer.length;
  }
  return Buffer.concat(chunks);
}

/** As API Gateway does: a segment that does not decode is passed on as it came, and matches no route. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The request as API Gateway's HTTP API (payload 2.0) would hand it to the Lambda. */
function toApiGatewayEvent(request: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const route = /^\/hooks\/([^/]+)\/?$/.exec(url.pathname)?.[1];
  const method = request.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: 'POST /hooks/{route}',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(route === undefined ? {} : { pathParameters: { route: decodePathSegment(route) } }),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey: 'POST /hooks/{route}',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body: body.toString('base64'),
    isBase64Encoded: true,
  };
}

function serve(handler: ApiGatewayHandler) {
  return async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'GET' && request.url === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    try {
      const body = await readBody(request, MAX_BODY_BYTES);
      const result = await handler(toApiGatewayEvent(request, body));
      response.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
    } catch {
      // Lambda would answer 502 for a handler that throws; the relay itself never does.
      response.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"internal-error"}');
    }
  };
}

/**
 * The same handler as the Lambda, over node:http on 127.0.0.1 only, with an in-process retry queue
 * in place of SQS (same code path and attempts, shorter waits).
 */
export async function startLocalServer(
  options: LocalServerOptions,
): Promise<{ server: Server; url: string; queue: InProcessQueue }> {
  const config = loadConfigFile(options.configFile);
  await checkConfigExpressions(config, options.configFile);
  const logger = options.logger ?? new Logger({ serviceName: SERVICE_NAME });
  const routes = new Map(config.routes.map((route) => [route.id, route]));
  // The Lambda's attempts (RETRY_MAX_ATTEMPTS, 8 by default) at a tenth of its waits: 3 s to 90 s.
  const queue = new InProcessQueue({
    maxAttempts: maxAttemptsFrom(process.env.RETRY_MAX_ATTEMPTS),
    backoffScale: options.retryBackoffScale ?? 0.1,
    onDeadLetter: (reason, delivery, attempt) =>
      logger.error('delivery dead-lettered', { ...deadLetterRecord(reason, delivery, attempt, routes) }),
  });
  // The links point at this server (its port is known once it listens), or at DETAILS_BASE_URL: a tunnel.
  let url: string | undefined;
  // The relay writes the clusters' verdicts and the roll-ups' records here, and a roll-up's page reads them.
  const clusters = options.relay?.clusters ?? new MemoryClusterVerdicts();
  const rollups = options.relay?.rollups ?? new MemoryRollupLedger();
  const details =
    config.detailsPage === undefined
      ? undefined
      : detailsService(config.detailsPage, {
          secrets: options.secrets,
          store: new MemoryDetailsStore(),
          baseUrl: () => process.env.DETAILS_BASE_URL ?? url,
          routes: config.routes,
          observe: observeDetailsFailure(logger),
          rollupPage: rollupPages({
            clusters,
            rollups,
            targets: rollupTargets(config.routes, config.environments),
          }),
          ...(options.relay?.now ? { now: options.relay.now } : {}),
        });
  const { relay, redeliver, sweep } = createRelay({
    routes: config.routes,
    environments: config.environments,
    secrets: options.secrets,
    observe: observeDelivery(logger),
    queue,
    clusters,
    rollups,
    ...(details ? { details: details.links } : {}),
    ...options.relay,
  });
  queue.attach(redeliver);
  const server = createServer(serve(apiGatewayHandler(relay, Date.now, details?.page)));
  // In place of the stack's schedule; unref'd, so that it never keeps the process alive by itself.
  const sweeping = setInterval(() => {
    sweep().then(
      (result) => {
        if (result.resolved + result.failed + result.dropped > 0) logger.info('pending sweep', { ...result });
      },
      (error) => logger.error('pending sweep failed', { error: String(error) }),
    );
  }, options.sweepIntervalMs ?? 60_000);
  sweeping.unref();
  server.once('close', () => {
    clearInterval(sweeping);
    const dropped = queue.stop();
    if (dropped.length === 0) return;
    // SQS would keep them; this process cannot, so it says which statuses will not be written.
    logger.warn('deliveries dropped at shutdown', {
      count: dropped.length,
      deliveries: dropped.map(({ delivery, attempt, dueAt }) => ({
        route: delivery.routeId,
        object: delivery.object,
        sha: delivery.status.sha,
        context: delivery.status.context,
        state: delivery.status.state,
        nextAttempt: attempt,
        dueAt: new Date(dueAt).toISOString(),
      })),
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 8080, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;
  return { server, url, queue };
}

/** The send-example command for this server: with the port, config and secrets it was started with. */
function sendExampleCommand(port: number, configFile: string, secretsFile: string): string {
  const settings = [
    port === 8080 ? '' : `PORT=${port}`,
    configFile === resolve('config/local.json') ? '' : `CONFIG=${configFile}`,
    secretsFile === resolve('config/local-secrets.json') ? '' : `SECRETS_FILE=${secretsFile}`,
  ].filter((setting) => setting !== '');
  return [...settings, 'npm run -s send-example'].join(' ');
}

const USAGE = `Usage: npm start [-- [--config FILE] [--secrets-file FILE]]

Serves the webhook on http://127.0.0.1:$PORT (8080) with the same handler as the Lambda, and logs
one JSON line per delivery on stdout.

  --config FILE        the config file (or CONFIG; default config/local.json)
  --secrets-file FILE  a JSON file of secret name -> value (or SECRETS_FILE; default config/local-secrets.json)
  -h, --help           this text
`;

/** The same surface as the tools under scripts/: --help, --config, --secrets-file; 2 on a mistake. */
function commandLine(): { configFile: string; secretsFile: string } | undefined {
  let values: { help?: boolean; config?: string; 'secrets-file'?: string };
  try {
    ({ values } = parseArgs({
      options: {
        help: { type: 'boolean', short: 'h' },
        config: { type: 'string' },
        'secrets-file': { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`start: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return undefined;
  }
  return {
    configFile: resolve(values.config ?? process.env.CONFIG ?? 'config/local.json'),
    secretsFile: resolve(values['secrets-file'] ?? process.env.SECRETS_FILE ?? 'config/local-secrets.json'),
  };
}

async function main(): Promise<void> {
  const files = commandLine();
  if (files === undefined) return;
  const { configFile, secretsFile } = files;
  const port = Number(process.env.PORT ?? 8080);
  try {
    const secrets = new FileSecretSource(secretsFile);
    secrets.check();
    const { server, url } = await startLocalServer({ configFile, secrets, port });
    const routes = loadConfigFile(configFile).routes.map(
      (route) =>
        `  POST ${url}/hooks/${route.id}${route.dryRun ? '  (dryRun)' : ''}${route.detailsPage ? "  (details page: the log line's targetUrl)" : ''}`,
    );
    process.stdout.write(
      `flux-commit-status listening on ${url}\nconfig ${configFile}\nsecrets ${secretsFile}\n${routes.join('\n')}\n` +
        `Send a signed example event with: ${sendExampleCommand(Number(new URL(url).port), configFile, secretsFile)}\n`,
    );
    // Ctrl-C or a stop: close the server, so that it reports the deliveries still waiting, then end.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        server.closeAllConnections();
        server.close(() => process.exit(0));
      });
    }
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
