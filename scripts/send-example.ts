/**
 * Posts a Flux event to the local server, signed as Flux signs it for the route, with the route's key
 * read from the same config and secrets file as `npm start` reads (--config, --secrets-file, or CONFIG
 * and SECRETS_FILE).
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfigFile } from '../functions/config/config-file.js';
import { RouteMisconfiguredError } from '../functions/core/errors.js';
import { FileSecretSource } from '../functions/secrets/file-source.js';
import { configFileOf, runTool, secretsFileOf, UsageError } from './lib/cli.js';

const DEFAULT_EVENT = 'test/fixtures/flux-events/03-kustomization-reconciled-commit-status-update.json';

const USAGE = `Usage: npm run -s send-example [-- [--config FILE] [--secrets-file FILE] [<route> [<event.json>]]]

Posts a Flux event to the local server (npm start), as Flux's Provider would send it to the route:
signed with generic-hmac for an "hmac" route, with "Authorization: Bearer" for a "bearer" route.
The key is the token of the route's auth secret in the secrets file. Prints the answer on stdout.

  <route>       a route id of the config (default: its first route)
  <event.json>  a Flux event (default: ${DEFAULT_EVENT})

The config and secrets file default to npm start's: config/local.json, config/local-secrets.json.
  PORT          the local server's port (8080)
`;

const TOOL = { name: 'send-example', usage: USAGE, options: {}, positionals: 2 };

function request(values: { config?: string; 'secrets-file'?: string }, positionals: string[]) {
  const [routeId, eventFile = DEFAULT_EVENT] = positionals;
  const configFile = configFileOf(values, 'config/local.json') as string;
  const { routes } = loadConfigFile(configFile);
  const route = routeId === undefined ? routes[0] : routes.find((candidate) => candidate.id === routeId);
  if (route === undefined) {
    throw new UsageError(
      `route "${routeId}" is not in ${configFile}; its routes: ${routes.map(({ id }) => id).join(', ')}`,
    );
  }
  let body: Buffer;
  try {
    body = readFileSync(resolve(eventFile));
  } catch (error) {
    throw new UsageError(
      `the event file ${eventFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return { route, body, secretsFile: secretsFileOf(values, 'config/local-secrets.json') as string };
}

async function send(parts: ReturnType<typeof request>): Promise<number> {
  const { route, body, secretsFile } = parts;
  // With several secrets (a key rotation), the first is the one Flux is assumed to hold.
  const [name] = Array.isArray(route.auth.secret) ? route.auth.secret : [route.auth.secret];
  const { token: key } = await new FileSecretSource(secretsFile).get(name as string);
  if (key === undefined || key === '') {
    throw new RouteMisconfiguredError(`secret "${name}" in ${secretsFile} has no "token"`);
  }
  // As Flux sends it: generic-hmac signs the body, generic sends the secret's Authorization header.
  const credentials: Record<string, string> =
    route.auth.type === 'bearer'
      ? { authorization: `Bearer ${key}` }
      : { 'x-signature': `sha256=${createHmac('sha256', key).update(body).digest('hex')}` };
  const url = `http://127.0.0.1:${process.env.PORT ?? '8080'}/hooks/${route.id}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'gotk-component': 'kustomize-controller',
        ...credentials,
      },
      body,
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    process.stderr.write(`cannot reach ${url}: is "npm start" running, on this PORT? (${code})\n`);
    return 1;
  }
  process.stdout.write(`POST ${url} -> ${response.status}\n${await response.text()}\n`);
  return response.ok ? 0 : 1;
}

await runTool(TOOL, ({ values, positionals }) => send(request(values, positionals)));
