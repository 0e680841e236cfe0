/**
 * The bench's floor: the same job as the function, done as plainly as the same libraries allow, so
 * that each of the project's figures can be read as a ratio to it. It checks the generic-hmac
 * signature, parses the event, reads its secrets through Powertools and the same Secrets Manager SDK
 * with the same cache age, and writes a GitHub status through @octokit/rest without plugins on the
 * runtime's fetch. It skips a status it wrote already, as the project does, and reads nothing from the
 * forge. Built with the stack's esbuild settings into the bench's temp dir; never deployed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { Octokit } from '@octokit/rest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RouteInput } from '../../functions/config/route-schema.js';
import { SECRET_MAX_AGE_SECONDS } from '../../functions/secrets/secrets-manager-source.js';

interface FloorRoute {
  cluster: string;
  webhookSecret: string;
  forgeSecret: string;
  apiUrl: string;
  owner: string;
  repo: string;
}

const routes = new Map<string, FloorRoute>(
  (
    JSON.parse(readFileSync(new URL('./routes.json', import.meta.url), 'utf8')) as { routes: RouteInput[] }
  ).routes.map((route) => {
    const provider = route.provider as { address: string; secret: string; apiUrl: string };
    const [owner = '', repo = ''] = new URL(provider.address).pathname.slice(1).split('/');
    const auth = route.auth as { secret: string };
    return [
      route.id,
      {
        cluster: route.cluster ?? route.id,
        webhookSecret: auth.secret,
        forgeSecret: provider.secret,
        apiUrl: provider.apiUrl,
        owner,
        repo,
      },
    ];
  }),
);

let provider: Promise<SecretsProvider> | undefined;
const clients = new Map<string, Octokit>();
const written = new Map<string, string>();

const answer = (statusCode: number, body: object) => ({ statusCode, body: JSON.stringify(body) });

async function token(name: string): Promise<string> {
  provider ??= (async () => {
    const [{ SecretsProvider }, { SecretsManagerClient }] = await Promise.all([
      import('@aws-lambda-powertools/parameters/secrets'),
      import('@aws-sdk/client-secrets-manager'),
    ]);
    return new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) });
  })();
  const text = await (await provider).get(name, { maxAge: SECRET_MAX_AGE_SECONDS });
  return (JSON.parse(text as string) as { token: string }).token;
}

async function clientOf(route: FloorRoute): Promise<Octokit> {
  const auth = await token(route.forgeSecret);
  const key = `${route.apiUrl} ${auth}`;
  let client = clients.get(key);
  if (client === undefined) {
    const { Octokit } = await import('@octokit/rest');
    client = new Octokit({ auth, baseUrl: route.apiUrl, userAgent: 'flux-commit-status-floor' });
    clients.set(key, client);
  }
  return client;
}

export async function handler(event: APIGatewayProxyEventV2) {
  // Each configured route is an API route of its own: the id is in the path, as the relay reads it.
  const route = routes.get(/^\/hooks\/([^/]+)$/.exec(event.rawPath)?.[1] ?? '');
  if (route === undefined) return answer(404, { error: 'no such route' });
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const [algorithm, signature = ''] = (event.headers['x-signature'] ?? '').split('=');
  if (algorithm !== 'sha256') return answer(401, { error: 'bad signature' });
  const expected = createHmac('sha256', await token(route.webhookSecret))
    .update(body)
    .digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return answer(401, { error: 'bad signature' });
  }
  const flux = JSON.parse(body.toString('utf8'));
  const sha = String(flux.metadata?.revision ?? '')
    .split(':')
    .at(-1);
  const context = `${flux.involvedObject.kind}/${flux.involvedObject.name}/${route.cluster}`.toLowerCase();
  const state = flux.reason === 'Progressing' ? 'pending' : flux.severity === 'error' ? 'failure' : 'success';
  const description = String(flux.reason);
  const key = `${route.owner}/${route.repo}/${sha}/${context}`;
  if (written.get(key) === `${state} ${description}`) return answer(200, { outcome: 'duplicate' });
  const client = await clientOf(route);
  await client.rest.repos.createCommitStatus({
    owner: route.owner,
    repo: route.repo,
    sha: sha as string,
    state,
    context,
    description,
  });
  written.set(key, `${state} ${description}`);
  return answer(200, { outcome: 'written' });
}
