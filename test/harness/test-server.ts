import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { type LocalServerOptions, startLocalServer } from '../../functions/local/server.js';
import { FileSecretSource } from '../../functions/secrets/file-source.js';
import { FORGE_TOKEN, WEBHOOK_KEY } from './flux-fixtures.js';

/**
 * The local server exactly as `npm start` runs it, on a config and a secrets file written to a
 * temporary folder, on a free port of 127.0.0.1, logging nothing.
 */
export async function startTestServer(
  config: { routes: unknown[]; [field: string]: unknown },
  secrets: Record<string, unknown>,
  options: Omit<LocalServerOptions, 'configFile' | 'secrets' | 'port'> = {},
) {
  const folder = mkdtempSync(join(tmpdir(), 'fcs-server-'));
  const configFile = join(folder, 'config.json');
  const secretsFile = join(folder, 'secrets.json');
  writeFileSync(configFile, JSON.stringify(config));
  writeFileSync(secretsFile, JSON.stringify(secrets));
  const { server, url, queue } = await startLocalServer({
    configFile,
    secrets: new FileSecretSource(secretsFile),
    port: 0,
    logger: new Logger({ logLevel: 'SILENT' }),
    ...options,
  });
  return {
    url,
    queue,
    async stop(): Promise<void> {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}

/** One route, `prod-eu-1`, writing to a GitHub at `apiUrl`, and the secrets file it reads. */
export function oneGitHubRoute(apiUrl: string) {
  return {
    config: {
      routes: [
        {
          id: 'prod-eu-1',
          auth: { type: 'hmac', secret: 'team/webhook' },
          provider: {
            type: 'github',
            address: 'https://github.com/acme/fleet-infra',
            secret: 'team/github',
            apiUrl,
          },
        },
      ],
    },
    secrets: { 'team/webhook': WEBHOOK_KEY, 'team/github': FORGE_TOKEN },
  };
}
