/**
 * Checks every route of an environment before its first event: webhook key, forge reachable, and a
 * token that may write commit statuses there (nothing is written). One line per route on stdout;
 * exit code 1 when a route would fail, 2 for a mistake in the call or a missing AWS setting.
 */
import { relative } from 'node:path';
import { FileSecretSource } from '../functions/secrets/file-source.js';
import type { SecretSource } from '../functions/secrets/secret-source.js';
import { checkAwsAccess } from './lib/aws-access.js';
import { chooseConfig, runTool, secretsFileOf, UsageError } from './lib/cli.js';
import { checkRoute, formatVerdict } from './lib/selftest.js';

const USAGE = `Usage: npm run -s selftest -- (--env NAME | --config FILE) [--route ID] [--secrets-file FILE]

Reads each route's secrets as the function does and asks the forge, without writing anything,
whether the token may write commit statuses there. One line per route: OK, WARN or FAIL.
Exit code 1 when a route would fail.

  --env NAME    the environment, config/<NAME>.json
  --route ID    only this route
Secrets come from Secrets Manager in deployment.region with your AWS credentials, or from
--secrets-file (the local environment: config/local-secrets.json by default).
`;

const TOOL = {
  name: 'selftest',
  usage: USAGE,
  options: { env: { type: 'string' }, route: { type: 'string' } },
} as const;

await runTool(TOOL, async ({ values }) => {
  const { env, file, config } = chooseConfig(values);
  const routes = config.routes.filter((route) => values.route === undefined || route.id === values.route);
  if (routes.length === 0) {
    throw new UsageError(
      `no route "${values.route}" in ${env}; routes: ${config.routes.map((r) => r.id).join(', ')}`,
    );
  }
  const secretsFile = secretsFileOf(values, env === 'local' ? 'config/local-secrets.json' : undefined);
  let secrets: SecretSource;
  if (secretsFile !== undefined) {
    const source = new FileSecretSource(secretsFile);
    source.check();
    secrets = source;
  } else {
    const region = config.deployment.region;
    await checkAwsAccess(relative(process.cwd(), file), region);
    // Loaded only here: a secrets file needs no AWS SDK, nor AWS credentials.
    const { SecretsManagerSource } = await import('../functions/secrets/secrets-manager-source.js');
    secrets = new SecretsManagerSource(region === undefined ? {} : { region });
  }
  let failed = 0;
  for (const route of routes) {
    process.stderr.write(`selftest: checking ${route.id}…\n`);
    const verdict = await checkRoute(route, secrets);
    if (verdict.level === 'fail') failed++;
    process.stdout.write(`${formatVerdict(verdict)}\n`);
  }
  return failed > 0 ? 1 : 0;
});
