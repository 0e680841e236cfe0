/**
 * Prints the Flux Secret, Provider and Alert of every route of an environment, for `kubectl apply -f -`.
 * Usage: npm run flux-manifests -- --env NAME [--url URL | --outputs FILE] [--namespace NS]
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../functions/config/config-file.js';
import { ConfigError } from '../functions/core/errors.js';
import { listEnvironments } from '../infra/environments.js';
import { stackNameOf } from '../infra/output-names.js';
import { CONFIG_DIR } from '../infra/paths.js';
import { renderFluxManifests, urlBelow, urlsFromOutputs } from './lib/flux-manifests.js';

const NAMESPACE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function main(): string {
  const { values } = parseArgs({
    options: {
      env: { type: 'string' },
      url: { type: 'string' },
      outputs: { type: 'string' },
      namespace: { type: 'string', default: 'flux-system' },
    },
    strict: true,
  });
  const environments = listEnvironments(CONFIG_DIR);
  if (values.env === undefined || !environments.includes(values.env)) {
    throw new ConfigError(`choose an environment with --env NAME, one of: ${environments.join(', ')}`);
  }
  if (!NAMESPACE.test(values.namespace)) {
    throw new ConfigError('--namespace must be a Kubernetes namespace name (a-z, 0-9 and "-")');
  }
  if (values.url !== undefined && values.outputs !== undefined) {
    throw new ConfigError('give --url or --outputs, not both');
  }
  const config = loadConfigFile(relative(process.cwd(), join(CONFIG_DIR, `${values.env}.json`)));

  let urlOf: (routeId: string) => string;
  if (values.outputs !== undefined) {
    let outputs: unknown;
    try {
      outputs = JSON.parse(readFileSync(values.outputs, 'utf8'));
    } catch (error) {
      throw new ConfigError(`${values.outputs}: not a readable JSON file (${(error as Error).message})`);
    }
    const urls = urlsFromOutputs(outputs, stackNameOf(values.env), config.routes, values.outputs);
    urlOf = (routeId) => urls.get(routeId) as string;
  } else {
    // The local server's address when nothing else is given, as `npm start` prints it.
    const base =
      values.url ?? (values.env === 'local' ? `http://127.0.0.1:${process.env.PORT ?? '8080'}` : undefined);
    if (base === undefined) {
      throw new ConfigError(
        'give the deployed URL: --outputs FILE (from cdk deploy --outputs-file FILE) or --url https://…',
      );
    }
    if (!/^https?:\/\/[^/\s]+(?:\/\S*)?$/.test(base)) {
      throw new ConfigError(
        '--url must be an http(s) URL such as https://abc123.execute-api.eu-west-1.amazonaws.com',
      );
    }
    urlOf = (routeId) => urlBelow(base, routeId);
  }
  return renderFluxManifests(config.routes, { namespace: values.namespace, urlOf });
}

try {
  process.stdout.write(main());
} catch (error) {
  // parseArgs throws TypeErrors for unknown flags; their message is already the useful part.
  process.stderr.write(`flux-manifests: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
