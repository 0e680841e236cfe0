import { readFileSync } from 'node:fs';
import { ConfigError, RouteMisconfiguredError } from '../core/errors.js';
import { parseSecretString, type SecretSource, type SecretValue } from './secret-source.js';

/**
 * Local mode: a JSON file mapping each secret name to its value (an object, or a string), read again
 * on `fresh` so that a token edited on disk takes effect like a rotation.
 */
export class FileSecretSource implements SecretSource {
  #secrets: Record<string, unknown> | undefined;

  constructor(private readonly path: string) {}

  async get(name: string, options: { fresh?: boolean } = {}): Promise<SecretValue> {
    if (this.#secrets === undefined || options.fresh === true) this.#secrets = this.#read();
    if (!Object.hasOwn(this.#secrets, name)) {
      throw new RouteMisconfiguredError(`secret "${name}" is not in the local secrets file ${this.path}`);
    }
    const value = this.#secrets[name];
    return parseSecretString(name, typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** Reads the file now: `npm start` refuses a missing or broken file, as it refuses a bad config. */
  check(): void {
    try {
      this.#secrets = this.#read();
    } catch (error) {
      throw new ConfigError((error as Error).message);
    }
  }

  #read(): Record<string, unknown> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      throw new RouteMisconfiguredError(
        `the local secrets file ${this.path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // JSON.parse quotes the text around the fault, which may be a token.
      throw new RouteMisconfiguredError(`the local secrets file ${this.path} is not valid JSON`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new RouteMisconfiguredError(
        `the local secrets file ${this.path} must be a JSON object of secret names`,
      );
    }
    return json as Record<string, unknown>;
  }
}
