import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';
import { type EnvironmentConfig, parseEnvironmentConfig } from './environment-config.js';

/** Reads and validates an environment's config file; any fault names the file and the field. */
export function loadConfigFile(path: string): EnvironmentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseEnvironmentConfig(text, path);
}
