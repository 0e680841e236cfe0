/**
 * Checks every route of an environment before its first event: webhook key, forge reachable, and a
 * token that may write commit statuses there (nothing is written). Exit code 1 when a route would fail.
 * Usage: npm run selftest -- --env NAME [--route ID]   (SECRETS_FILE for the local environment)
 */
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../functions/config/config-file.js';
import { ConfigError } from '../functions/core/errors.js';
import { FileSecretSource } from '../functions/secrets/file-source.js';
import type { SecretSource } from '../functions/secrets/secret-source.js';
import { listEnvironments } from '../infra/environments.js';
import { CONFIG_DIR } from '../infra/paths.js';
import { checkRoute, formatVerdict } from './lib/selftest.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { env: { type: 'string' }, route: { type: 'string' } },
    strict: true,
  });
  const environments = listEnvironments(CONFIG_DIR);
  if (values.env === undefined || !environments.includes(values.env)) {
    throw new ConfigError(`choose an environment with --env NAME, one of: ${environments.join(', ')}`);
  }
  const config = loadConfigFile(relative(process.cwd(), join(CONFIG_DIR, `${values.env}.json`)));
  const routes = config.routes.filter((route) => values.route === undefined || route.id === values.route);
  if (routes.length === 0) {
    throw new ConfigError(
      `no route "${values.route}" in ${values.env}; routes: ${config.routes.map((r) => r.id).join(', ')}`,
    );
  }
  let secrets: SecretSource;
  if (values.env === 'local') {
    secrets = new FileSecretSource(resolve(process.env.SECRETS_FILE ?? 'config/local-secrets.json'));
  } else {
    // Loaded only here: the local environment needs no AWS SDK, nor AWS credentials.
    const { SecretsManagerSource } = await import('../functions/secrets/secrets-manager-source.js');
    const region = config.deployment.region;
    secrets = new SecretsManagerSource(region === undefined ? {} : { region });
  }
  let failed = 0;
  for (const route of routes) {
    const verdict = await checkRoute(route, secrets);
    if (verdict.level === 'fail') failed++;
    process.stdout.write(`${formatVerdict(verdict)}\n`);
  }
  return failed > 0 ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`selftest: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
