/**
 * Posts a Flux event to the local server, signed as Flux's generic-hmac provider signs it.
 * Usage: npm run send-example [-- <event.json> [route]]   (PORT, CONFIG, SECRETS_FILE as for npm start)
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const file = resolve(
  process.argv[2] ?? 'test/fixtures/flux-events/03-kustomization-reconciled-commit-status-update.json',
);
const route = process.argv[3] ?? 'demo';
const port = process.env.PORT ?? '8080';
const secrets = JSON.parse(
  readFileSync(resolve(process.env.SECRETS_FILE ?? 'config/local-secrets.json'), 'utf8'),
);
const key: string = secrets['local/webhook'].token;

const config = JSON.parse(readFileSync(resolve(process.env.CONFIG ?? 'config/local.json'), 'utf8'));
const bearer =
  config.routes.find((candidate: { id: string }) => candidate.id === route)?.auth?.type === 'bearer';

const body = readFileSync(file);
// As Flux sends it: generic-hmac signs the body, generic sends the secret's Authorization header.
const credentials: Record<string, string> = bearer
  ? { authorization: `Bearer ${key}` }
  : { 'x-signature': `sha256=${createHmac('sha256', key).update(body).digest('hex')}` };
const url = `http://127.0.0.1:${port}/hooks/${route}`;
try {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'gotk-component': 'kustomize-controller',
      ...credentials,
    },
    body,
  });
  process.stdout.write(`POST ${url} -> ${response.status}\n${await response.text()}\n`);
  process.exitCode = response.ok ? 0 : 1;
} catch (error) {
  process.stderr.write(`cannot reach ${url}: is "npm start" running? (${(error as Error).message})\n`);
  process.exitCode = 1;
}
