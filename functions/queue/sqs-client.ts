import type { SQSClient, SQSClientConfig } from '@aws-sdk/client-sqs';

export type SqsSdk = typeof import('@aws-sdk/client-sqs');

/**
 * The SQS SDK, loaded on first use (off the webhook's cold start), and a client sized to fit
 * AFTER_FORGE_RESERVE_MS (delivery/budget.ts): a hand-off must beat the function's timeout.
 */
export function loadSqs(clientConfig: SQSClientConfig): Promise<{ sdk: SqsSdk; client: SQSClient }> {
  // The retry queue and the FIFO queue of the deployed function share one client; tests' own settings get their own.
  if (Object.keys(clientConfig).length === 0) {
    sharedSqs ??= createSqs({});
    return sharedSqs;
  }
  return createSqs(clientConfig);
}

let sharedSqs: Promise<{ sdk: SqsSdk; client: SQSClient }> | undefined;

function createSqs(clientConfig: SQSClientConfig): Promise<{ sdk: SqsSdk; client: SQSClient }> {
  return import('@aws-sdk/client-sqs').then((sdk) => ({
    sdk,
    client: new sdk.SQSClient({
      maxAttempts: 2,
      requestHandler: { requestTimeout: 800, connectionTimeout: 400 },
      ...clientConfig,
    }),
  }));
}
