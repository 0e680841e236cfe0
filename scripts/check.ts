/**
 * `npm run check`: validates config files the way `npm start`, `cdk synth` and the tools do together,
 * in a second and without starting anything, and prints every problem with its file and field.
 */
import { join, relative } from 'node:path';
import { FileSecretSource } from '../functions/secrets/file-source.js';
import { listEnvironments } from '../infra/environments.js';
import { CONFIG_DIR } from '../infra/paths.js';
import { checkConfigFile, formatProblem } from './lib/check-config.js';
import { chooseConfigFile, runTool, secretsFileOf } from './lib/cli.js';

const USAGE = `Usage: npm run -s check -- [--env NAME | --config FILE] [--secrets-file FILE]

Checks a config as npm start, cdk synth and the tools do, together: the schema (every field, Flux's
kinds as Flux spells them), the region, each route's and environment's commitStatusExpr compiled
(overlaps included), URLs a deployed function can never use (loopback, link-local, plain http; the
local config may keep them), and, with a secrets file, that every secret the config names is in it
and holds what it must (a details page key of 32 bytes at least). Prints "FILE: ok" or every problem
as "FILE: FIELD: PROBLEM" on stdout; exit code 1 when there is a problem.

  --env NAME    config/<NAME>.json
Without --env, --config or CONFIG: every config/<env>.json. The local config is checked with
config/local-secrets.json unless another secrets file is given.
`;

const TOOL = { name: 'check', usage: USAGE, options: { env: { type: 'string' } } } as const;

await runTool(TOOL, async ({ values }) => {
  const chosen = chooseConfigFile(values);
  const files =
    chosen === undefined
      ? listEnvironments(CONFIG_DIR).map((env) => ({ env, file: join(CONFIG_DIR, `${env}.json`) }))
      : [chosen];
  let problems = 0;
  for (const { env, file } of files) {
    // Short inside the project (config/prod.json), whole elsewhere.
    const inside = relative(process.cwd(), file);
    const shown = inside.startsWith('..') ? file : inside;
    const secretsFile = secretsFileOf(values, env === 'local' ? 'config/local-secrets.json' : undefined);
    const secrets = secretsFile === undefined ? undefined : new FileSecretSource(secretsFile);
    secrets?.check();
    const found = await checkConfigFile(file, env, secrets);
    problems += found.length;
    process.stdout.write(
      found.length === 0
        ? `${shown}: ok\n`
        : found.map((problem) => `${formatProblem(shown, problem)}\n`).join(''),
    );
  }
  return problems > 0 ? 1 : 0;
});
