import type { Route } from '../../functions/config/route-schema.js';
import { webhookKeyRefs } from '../../functions/config/webhook-secret.js';
import { RelayError } from '../../functions/core/errors.js';
import { credentialsFromSecret } from '../../functions/forges/credentials.js';
import type { ForgeCredentials } from '../../functions/forges/forge.js';
import { ProbeFinding, type ProbeLevel } from '../../functions/forges/probe.js';
import { probeForge } from '../../functions/forges/registry.js';
import type { SecretSource } from '../../functions/secrets/secret-source.js';

export interface Verdict {
  route: string;
  level: ProbeLevel;
  detail: string;
}

async function checkWebhookSecrets(route: Route, secrets: SecretSource): Promise<void> {
  for (const ref of webhookKeyRefs(route.auth.secret)) {
    const label = ref.key === 'token' ? `secret ${ref.secret}` : `key ${ref.key} of secret ${ref.secret}`;
    let token: unknown;
    try {
      token = ((await secrets.get(ref.secret)) as Record<string, unknown>)[ref.key];
    } catch (error) {
      throw new ProbeFinding('fail', `webhook ${label}: ${(error as Error).message}`);
    }
    if (typeof token !== 'string' || token === '') {
      throw new ProbeFinding('fail', `webhook ${label} has no "${ref.key}" string`);
    }
  }
}

/**
 * Reads a route's secrets as the function would and asks its forge, without writing anything,
 * whether the token may write commit statuses there (each forge's client module has the probe).
 */
export async function checkRoute(route: Route, secrets: SecretSource, now = Date.now()): Promise<Verdict> {
  try {
    await checkWebhookSecrets(route, secrets);
    const { provider } = route;
    if (provider.secret === undefined) {
      return { route: route.id, level: 'ok', detail: 'webhook key present; dryRun, so no forge is asked' };
    }
    let credentials: ForgeCredentials;
    try {
      credentials = credentialsFromSecret(await secrets.get(provider.secret));
    } catch (error) {
      throw new ProbeFinding('fail', `forge secret ${provider.secret}: ${(error as Error).message}`);
    }
    const result = await probeForge(provider, credentials, now);
    return { route: route.id, ...result };
  } catch (error) {
    if (error instanceof ProbeFinding || error instanceof RelayError) {
      return {
        route: route.id,
        level: error instanceof ProbeFinding ? error.level : 'fail',
        detail: error.message,
      };
    }
    throw error;
  }
}

export function formatVerdict(verdict: Verdict): string {
  const word = { ok: 'OK  ', warn: 'WARN', fail: 'FAIL' }[verdict.level];
  return `${word} ${verdict.route}: ${verdict.detail}`;
}
