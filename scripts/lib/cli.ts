import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../../functions/config/config-file.js';
import type { EnvironmentConfig } from '../../functions/config/environment-config.js';
import { ConfigError, RouteMisconfiguredError } from '../../functions/core/errors.js';
import { listEnvironments } from '../../infra/environments.js';
import { CONFIG_DIR } from '../../infra/paths.js';

/**
 * One command-line surface for every tool under scripts/: `--help`, `--config FILE` and
 * `--secrets-file FILE` (or CONFIG and SECRETS_FILE), the output alone on stdout, progress and
 * problems on stderr, and exit code 2 with the usage on a mistake in how the tool was called.
 */

/** A mistake in how the tool was called: the reason, then the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The tools' own options are all strings (`--env NAME`); --help is the one flag. */
type Options = Record<string, { type: 'string'; default?: string; short?: string }>;

export interface CommandLine<O extends Options> {
  values: { [K in keyof O | 'config' | 'secrets-file']?: string } & { help?: boolean };
  positionals: string[];
}

export interface Tool<O extends Options> {
  /** As npm runs it: `npm run -s <name>`. */
  name: string;
  /** The whole usage text, printed for --help and after a mistake. */
  usage: string;
  options: O;
  /** How many positional arguments the tool takes. */
  positionals?: number;
  /**
   * False for the tools that work on a fleet or a file of their own (the bench, the load test, the
   * schema): --config and --secrets-file are then a mistake, said as such, not silently ignored.
   */
  config?: false;
}

const COMMON = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  'secrets-file': { type: 'string' },
} as const;

/** The end of the usage of a tool that takes no config. */
const HELP_USAGE = `  -h, --help           this text
Output goes to stdout, progress and problems to stderr; a mistake in the call exits with 2.`;

/** The lines every usage ends with: the options and variables all tools share. */
export const COMMON_USAGE = `Common options:
  --config FILE        the config file (or CONFIG)
  --secrets-file FILE  a JSON file of secret name -> value, instead of Secrets Manager (or SECRETS_FILE)
  -h, --help           this text
Output goes to stdout, progress and problems to stderr; a mistake in the call exits with 2.
Run it as npm run -s …: without -s, npm prints its own banner on stdout first.`;

export function parseCommandLine<O extends Options>(tool: Tool<O>, argv: string[]): CommandLine<O> {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...tool.options, ...COMMON },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // parseArgs reports an unknown option or a missing value with a TypeError coded ERR_PARSE_ARGS_…
    throw new UsageError((error as Error).message);
  }
  const allowed = tool.positionals ?? 0;
  if (parsed.positionals.length > allowed) {
    throw new UsageError(
      allowed === 0
        ? `unexpected argument: ${parsed.positionals.join(' ')}`
        : `too many arguments: ${parsed.positionals.join(' ')}`,
    );
  }
  return parsed as CommandLine<O>;
}

/** `--config`, else CONFIG, else the fallback; undefined when there is none. */
export function configFileOf(values: { config?: string }, fallback?: string): string | undefined {
  const chosen = values.config ?? process.env.CONFIG ?? fallback;
  return chosen === undefined || chosen === '' ? undefined : resolve(chosen);
}

/** `--secrets-file`, else SECRETS_FILE, else the fallback. */
export function secretsFileOf(values: { 'secrets-file'?: string }, fallback?: string): string | undefined {
  const chosen = values['secrets-file'] ?? process.env.SECRETS_FILE ?? fallback;
  return chosen === undefined || chosen === '' ? undefined : resolve(chosen);
}

export interface ChosenConfig {
  /** The environment's name: `--env`, or the config file's name (`config/prod.json` → `prod`). */
  env: string;
  file: string;
  config: EnvironmentConfig;
}

/**
 * The config file a tool works on: `--config FILE` (or CONFIG), or `--env NAME` for
 * `config/<NAME>.json`; undefined when neither is given. Giving both is a mistake, as is naming an
 * environment that config/ does not have.
 */
export function chooseConfigFile(values: {
  env?: string;
  config?: string;
}): { env: string; file: string } | undefined {
  const env = values.env;
  if (env !== undefined && values.config !== undefined) {
    throw new UsageError('give --env NAME or --config FILE, not both');
  }
  if (env !== undefined) {
    const environments = listEnvironments(CONFIG_DIR);
    if (!environments.includes(env)) {
      throw new UsageError(`no environment "${env}"; environments in config/: ${environments.join(', ')}`);
    }
    return { env, file: join(CONFIG_DIR, `${env}.json`) };
  }
  const file = configFileOf(values);
  return file === undefined ? undefined : { env: basename(file, '.json'), file };
}

/** The config a tool works on, as `chooseConfigFile` finds it, loaded; one of the two is needed. */
export function chooseConfig(values: { env?: string; config?: string }): ChosenConfig {
  const chosen = chooseConfigFile(values);
  if (chosen === undefined) {
    throw new UsageError(
      `choose an environment with --env NAME, one of: ${listEnvironments(CONFIG_DIR).join(', ')} (or --config FILE)`,
    );
  }
  return { ...chosen, config: loadConfigFile(relative(process.cwd(), chosen.file)) };
}

/** Said once on stderr when npm's banner went to a file or a pipe ahead of the output. */
function warnOfNpmBanner(name: string): void {
  // `npm run <name>` sets npm_lifecycle_event to the script's name, and the loglevel to silent with -s.
  const byNpmRun = process.env.npm_lifecycle_event === name;
  if (byNpmRun && process.env.npm_config_loglevel !== 'silent' && !process.stdout.isTTY) {
    process.stderr.write(
      `${name}: npm printed its banner on stdout before this output; run npm run -s ${name}\n`,
    );
  }
}

/**
 * Runs a tool: --help prints the usage, a mistake prints the reason and the usage (exit 2), a bad
 * config or secrets file its reason (exit 2), anything else its message (exit 1); never a stack.
 * `main` returns the exit code.
 */
export async function runTool<O extends Options>(
  tool: Tool<O>,
  main: (args: CommandLine<O>) => Promise<number> | number,
  argv: string[] = process.argv.slice(2),
): Promise<void> {
  try {
    const args = parseCommandLine(tool, argv);
    if (args.values.help === true) {
      process.stdout.write(`${tool.usage}\n${tool.config === false ? HELP_USAGE : COMMON_USAGE}\n`);
      return;
    }
    if (
      tool.config === false &&
      (args.values.config !== undefined || args.values['secrets-file'] !== undefined)
    ) {
      throw new UsageError('takes no --config or --secrets-file: it works on a fleet or a file of its own');
    }
    warnOfNpmBanner(tool.name);
    process.exitCode = await main(args);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      process.stderr.write(
        `${tool.name}: ${message}\n\n${tool.usage}\n${tool.config === false ? HELP_USAGE : COMMON_USAGE}\n`,
      );
      process.exitCode = 2;
    } else if (error instanceof ConfigError || error instanceof RouteMisconfiguredError) {
      process.stderr.write(`${tool.name}: ${message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`${tool.name}: ${message}\n`);
      process.exitCode = 1;
    }
  }
}
