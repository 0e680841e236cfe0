/**
 * Prints the Flux Secret, Provider and Alert of every route of an environment, for `kubectl apply -f -`.
 * The YAML alone goes to stdout; a problem goes to stderr.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../functions/core/errors.js';
import { FileSecretSource } from '../functions/secrets/file-source.js';
import { stackNameOf } from '../infra/output-names.js';
import { chooseConfig, runTool, secretsFileOf, UsageError } from './lib/cli.js';
import { renderFluxManifests, urlBelow, urlsFromOutputs } from './lib/flux-manifests.js';

const NAMESPACE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const USAGE = `Usage: npm run -s flux-manifests -- (--env NAME | --config FILE) [--url URL | --outputs FILE] [--namespace NS]

Prints, for every route of the environment, the Flux Secret, Provider and Alert as one YAML stream on
stdout. The Secret holds a placeholder, never a key.

  --env NAME        the environment, config/<NAME>.json
  --outputs FILE    the webhook URLs from cdk deploy --outputs-file FILE
  --url URL         or the deployed API's base URL (local: http://127.0.0.1:$PORT by default)
  --namespace NS    where the three go (flux-system)
  --secrets-file    with it, each route's webhook secret must be in that file
`;

const TOOL = {
  name: 'flux-manifests',
  usage: USAGE,
  options: {
    env: { type: 'string' },
    url: { type: 'string' },
    outputs: { type: 'string' },
    namespace: { type: 'string', default: 'flux-system' },
  },
} as const;

await runTool(TOOL, async ({ values }) => {
  const { env, config } = chooseConfig(values);
  const namespace = values.namespace ?? 'flux-system';
  if (!NAMESPACE.test(namespace)) {
    throw new UsageError('--namespace must be a Kubernetes namespace name (a-z, 0-9 and "-")');
  }
  if (values.url !== undefined && values.outputs !== undefined) {
    throw new UsageError('give --url or --outputs, not both');
  }
  const secretsFile = secretsFileOf(values);
  if (secretsFile !== undefined) {
    // The manifests never carry a key, but a route whose key is nowhere cannot be wired.
    const secrets = new FileSecretSource(secretsFile);
    for (const route of config.routes) {
      for (const name of [route.auth.secret].flat()) await secrets.get(name);
    }
  }

  let urlOf: (routeId: string) => string;
  if (values.outputs !== undefined) {
    let outputs: unknown;
    try {
      outputs = JSON.parse(readFileSync(values.outputs, 'utf8'));
    } catch (error) {
      throw new ConfigError(`${values.outputs}: not a readable JSON file (${(error as Error).message})`);
    }
    const urls = urlsFromOutputs(outputs, stackNameOf(env), config.routes, values.outputs);
    urlOf = (routeId) => urls.get(routeId) as string;
  } else {
    // The local server's address when nothing else is given, as `npm start` prints it.
    const base =
      values.url ?? (env === 'local' ? `http://127.0.0.1:${process.env.PORT ?? '8080'}` : undefined);
    if (base === undefined) {
      throw new UsageError(
        'give the deployed URL: --outputs FILE (from cdk deploy --outputs-file FILE) or --url https://…',
      );
    }
    if (!/^https?:\/\/[^/\s]+(?:\/\S*)?$/.test(base)) {
      throw new UsageError(
        '--url must be an http(s) URL such as https://abc123.execute-api.eu-west-1.amazonaws.com',
      );
    }
    urlOf = (routeId) => urlBelow(base, routeId);
  }
  process.stdout.write(renderFluxManifests(config.routes, { namespace, urlOf }));
  return 0;
});
