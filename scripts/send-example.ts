/**
 * Posts a Flux event to the local server, signed as Flux signs it for the route, with the route's key
 * read from the same CONFIG and SECRETS_FILE as `npm start` reads.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../functions/config/config-file.js';
import { describeKeyRef, type WebhookKeyRef, webhookKeyRefs } from '../functions/config/webhook-secret.js';
import { ConfigError, RouteMisconfiguredError } from '../functions/core/errors.js';
import { FileSecretSource } from '../functions/secrets/file-source.js';

const DEFAULT_EVENT = 'test/fixtures/flux-events/03-kustomization-reconciled-commit-status-update.json';

const USAGE = `Usage: npm run send-example [-- [<route> [<event.json>]]]

Posts a Flux event to the local server (npm start), as Flux's Provider would send it to the route:
signed with generic-hmac for an "hmac" route, with "Authorization: Bearer" for a "bearer" route.
The key is the token of the route's auth secret in SECRETS_FILE.

  <route>       a route id of CONFIG (default: its first route)
  <event.json>  a Flux event (default: ${DEFAULT_EVENT})

Environment, as for npm start:
  PORT          the local server's port (8080)
  CONFIG        the route config file (config/local.json)
  SECRETS_FILE  the secrets file (config/local-secrets.json)
`;

/** A mistake in how the script was called: the reason, then the usage. */
class UsageError extends Error {
  override name = 'UsageError';
}

function request() {
  const { values, positionals } = parseArgs({
    options: { help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return undefined;
  if (positionals.length > 2) throw new UsageError(`too many arguments: ${positionals.join(' ')}`);
  const [routeId, eventFile = DEFAULT_EVENT] = positionals;
  const configFile = resolve(process.env.CONFIG ?? 'config/local.json');
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
  return { route, body, secretsFile: resolve(process.env.SECRETS_FILE ?? 'config/local-secrets.json') };
}

async function send(parts: NonNullable<ReturnType<typeof request>>): Promise<number> {
  const { route, body, secretsFile } = parts;
  // With several secrets (a key rotation), the first is the one Flux is assumed to hold.
  const [ref] = webhookKeyRefs(route.auth.secret) as [WebhookKeyRef];
  const key = ((await new FileSecretSource(secretsFile).get(ref.secret)) as Record<string, unknown>)[ref.key];
  if (typeof key !== 'string' || key === '') {
    throw new RouteMisconfiguredError(`${describeKeyRef(ref)} in ${secretsFile} has no "${ref.key}" string`);
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

try {
  const parts = request();
  if (parts === undefined) process.stdout.write(USAGE);
  else process.exitCode = await send(parts);
} catch (error) {
  // parseArgs reports an unknown option with a TypeError coded ERR_PARSE_ARGS_…
  const misuse =
    error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
  const known = misuse || error instanceof ConfigError || error instanceof RouteMisconfiguredError;
  process.stderr.write(`${known ? (error as Error).message : String(error)}\n${misuse ? `\n${USAGE}` : ''}`);
  process.exitCode = 2;
}
