import type { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { RouteMisconfiguredError, SecretUnavailableError } from '../core/errors.js';
import { parseSecretString, type SecretSource, type SecretValue } from './secret-source.js';

/** Long enough to spare Secrets Manager on every warm event, short enough to follow a rotation. */
export const SECRET_MAX_AGE_SECONDS = 300;

/**
 * How long a secret that does not exist (or that the role may not read) is remembered as such: a
 * stranger's requests then cost no Secrets Manager call each, and a secret created later is seen soon.
 */
export const MISSING_SECRET_MAX_AGE_SECONDS = 30;

const FINAL_ERRORS = new Set(['ResourceNotFoundException', 'AccessDeniedException', 'DecryptionFailure']);

function errorName(error: unknown): string {
  const cause = (error as { cause?: { name?: string } }).cause;
  return cause?.name ?? (error as Error).name ?? 'Error';
}

/**
 * Secrets Manager through Powertools Parameters, which caches values for `maxAge`. The SDK is loaded
 * on the first secret, so a cold start pays for it only when it needs it.
 */
export class SecretsManagerSource implements SecretSource {
  #provider: Promise<SecretsProvider> | undefined;
  /** The last text read for each secret and its parsed value: every event reads its secrets again. */
  readonly #parsed = new Map<string, { text: string; value: SecretValue }>();
  /** Secrets found missing or forbidden, with the message to repeat until `until` (epoch ms). */
  readonly #missing = new Map<string, { message: string; until: number }>();

  constructor(
    private readonly clientConfig: SecretsManagerClientConfig = {},
    private readonly now: () => number = Date.now,
  ) {}

  async get(name: string, options: { fresh?: boolean } = {}): Promise<SecretValue> {
    const missing = this.#missing.get(name);
    if (missing !== undefined && options.fresh !== true && this.now() < missing.until) {
      throw new RouteMisconfiguredError(missing.message);
    }
    const provider = await this.#loadProvider();
    let text: unknown;
    try {
      text = await provider.get(name, { maxAge: SECRET_MAX_AGE_SECONDS, forceFetch: options.fresh === true });
    } catch (error) {
      const kind = errorName(error);
      if (FINAL_ERRORS.has(kind)) {
        const message = `secret "${name}" cannot be read (${kind}): check its name and the role`;
        this.#missing.set(name, { message, until: this.now() + MISSING_SECRET_MAX_AGE_SECONDS * 1000 });
        throw new RouteMisconfiguredError(message);
      }
      throw new SecretUnavailableError(`secret "${name}" could not be read from Secrets Manager (${kind})`);
    }
    if (typeof text !== 'string') {
      throw new RouteMisconfiguredError(`secret "${name}" has no SecretString`);
    }
    this.#missing.delete(name);
    const parsed = this.#parsed.get(name);
    if (parsed?.text === text) return parsed.value;
    // Frozen, since every caller now shares it.
    const value = Object.freeze(parseSecretString(name, text));
    this.#parsed.set(name, { text, value });
    return value;
  }

  #loadProvider(): Promise<SecretsProvider> {
    this.#provider ??= (async () => {
      const [{ SecretsProvider }, { SecretsManagerClient }] = await Promise.all([
        import('@aws-lambda-powertools/parameters/secrets'),
        import('@aws-sdk/client-secrets-manager'),
      ]);
      return new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(this.clientConfig) });
    })();
    return this.#provider;
  }
}
