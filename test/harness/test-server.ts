import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { startLocalServer } from '../../functions/local/server.js';
import { FileSecretSource } from '../../functions/secrets/file-source.js';

/**
 * The local server exactly as `npm start` runs it, on a config and a secrets file written to a
 * temporary folder, on a free port of 127.0.0.1, logging nothing.
 */
export async function startTestServer(
  config: { routes: unknown[]; [field: string]: unknown },
  secrets: Record<string, unknown>,
) {
  const folder = mkdtempSync(join(tmpdir(), 'fcs-server-'));
  const configFile = join(folder, 'config.json');
  const secretsFile = join(folder, 'secrets.json');
  writeFileSync(configFile, JSON.stringify(config));
  writeFileSync(secretsFile, JSON.stringify(secrets));
  const { server, url } = await startLocalServer({
    configFile,
    secrets: new FileSecretSource(secretsFile),
    port: 0,
    logger: new Logger({ logLevel: 'SILENT' }),
  });
  return {
    url,
    async stop(): Promise<void> {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}
