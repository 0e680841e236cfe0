import { readFileSync } from 'node:fs';
import { deployableIssues, LOCAL_ENVIRONMENT } from '../../functions/config/deployable.js';
import {
  type EnvironmentConfig,
  EnvironmentConfigSchema,
} from '../../functions/config/environment-config.js';
import { promotionSecretsOf } from '../../functions/config/fleet-environments.js';
import { describeKeyRef, type WebhookKeyRef, webhookKeyRefs } from '../../functions/config/webhook-secret.js';
import { formatPath } from '../../functions/core/zod-issues.js';
import { detailsKeys } from '../../functions/details/details-keys.js';
import { expressionIssues } from '../../functions/expressions/route-status-names.js';
import { basicFromUsernamePassword, credentialsFromSecret } from '../../functions/forges/credentials.js';
import type { SecretSource } from '../../functions/secrets/secret-source.js';
import { regionProblem } from '../../infra/environments.js';

export interface Problem {
  path: readonly PropertyKey[];
  message: string;
}

/** A secret named by the config, where it is named, and what it must hold. */
interface NamedSecret {
  path: (string | number)[];
  /** The secrets, each with the key that must hold a string (`token`, or a shared secret's own key). */
  refs: WebhookKeyRef[];
  holds: 'key' | 'forge credentials' | 'details page keys';
}

const tokenIn = (names: readonly string[]): WebhookKeyRef[] =>
  names.map((secret) => ({ secret, key: 'token' }));

function secretsOf(config: EnvironmentConfig): NamedSecret[] {
  const named: NamedSecret[] = [];
  config.routes.forEach((route, index) => {
    // Several webhook secrets are a rotation: the next one need not exist yet, one must.
    named.push({
      path: ['routes', index, 'auth', 'secret'],
      refs: webhookKeyRefs(route.auth.secret),
      holds: 'key',
    });
    if (route.provider.secret !== undefined) {
      const path = ['routes', index, 'provider', 'secret'];
      named.push({ path, refs: tokenIn([route.provider.secret]), holds: 'forge credentials' });
    }
  });
  for (const [name, environment] of Object.entries(config.environments)) {
    if (environment.promotion?.type === 'webhook') {
      const path = ['environments', name, 'promotion', 'secret'];
      named.push({ path, refs: tokenIn(promotionSecretsOf({ [name]: environment })), holds: 'key' });
    }
  }
  if (config.detailsPage !== undefined) {
    const refs = tokenIn([config.detailsPage.secret]);
    named.push({ path: ['detailsPage', 'secret'], refs, holds: 'details page keys' });
  }
  return named;
}

/** Why a secret cannot serve, or undefined when it can. */
async function secretProblem(secrets: SecretSource, ref: WebhookKeyRef, holds: NamedSecret['holds']) {
  const name = ref.secret;
  try {
    // The keys as the function reads them: a current key too short to trust refuses every page link.
    if (holds === 'details page keys') return void (await detailsKeys(name, secrets));
    const value: Record<string, unknown> = await secrets.get(name);
    if (holds === 'key') {
      const key = value[ref.key];
      return typeof key === 'string' && key !== '' ? undefined : `${describeKeyRef(ref)} has no "${ref.key}"`;
    }
    const credentials = credentialsFromSecret(value);
    const usable = credentials.token || basicFromUsernamePassword(credentials) || credentials.githubApp;
    return usable
      ? undefined
      : `secret "${name}" has no "token", "username" and "password", or GitHub App keys`;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Every problem of a config file, as `npm start`, `cdk synth` and the tools would each find theirs:
 * the schema (all issues, not the first ten), the region, each route's commitStatusExpr compiled, URLs
 * a deployed function can never use
 * (every environment but the local one), and, given a secrets file, each secret the config names.
 */
export async function checkConfigFile(
  file: string,
  env: string,
  secrets: SecretSource | undefined,
): Promise<Problem[]> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return [{ path: [], message: `not a readable JSON file (${reason})` }];
  }
  const parsed = EnvironmentConfigSchema.safeParse(json);
  if (!parsed.success) return parsed.error.issues.map(({ path, message }) => ({ path, message }));
  const config = parsed.data;
  const problems: Problem[] = [];
  const region = regionProblem(config.deployment.region);
  if (region !== undefined) problems.push({ path: ['deployment', 'region'], message: region });
  if (env !== LOCAL_ENVIRONMENT) problems.push(...deployableIssues(config));
  // What the function and npm start check at their start: each route's and environment's commitStatusExpr.
  problems.push(...(await expressionIssues(config)));
  if (secrets !== undefined) {
    for (const { path, refs, holds } of secretsOf(config)) {
      const found = await Promise.all(refs.map((ref) => secretProblem(secrets, ref, holds)));
      if (found.every((problem) => problem !== undefined)) {
        problems.push(...found.map((message) => ({ path, message: message as string })));
      }
    }
  }
  return problems;
}

export function formatProblem(file: string, problem: Problem): string {
  return `${file}: ${formatPath(problem.path)}: ${problem.message}`;
}
