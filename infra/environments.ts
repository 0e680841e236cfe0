import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { loadConfigFile } from '../functions/config/config-file.js';
import { deployableIssues, LOCAL_ENVIRONMENT } from '../functions/config/deployable.js';
import type { EnvironmentConfig } from '../functions/config/environment-config.js';
import { ConfigError } from '../functions/core/errors.js';
import { formatPath } from '../functions/core/zod-issues.js';

/** Also the stack name's suffix (`FluxCommitStatus-<name>`), so it keeps to CloudFormation's characters. */
const ENVIRONMENT_NAME = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export interface Environment {
  name: string;
  /** The absolute path of the config file: it is validated here and bundled beside the handler. */
  configFile: string;
  config: EnvironmentConfig;
}

/**
 * Every `<name>.json` in the config folder is an environment, except a secrets file such as
 * `local-secrets.json`, which maps secret names to values for the local server.
 */
export function listEnvironments(configDir: string): string[] {
  return readdirSync(configDir)
    .filter((file) => file.endsWith('.json') && !file.endsWith('-secrets.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .filter((name) => ENVIRONMENT_NAME.test(name))
    .sort();
}

/** The environment `-c env=NAME` chose, its config validated by the function's own schema. */
export function loadEnvironment(name: unknown, configDir: string): Environment {
  const names = listEnvironments(configDir);
  const shownDir = relative(process.cwd(), configDir) || '.';
  const choices = `environments in ${shownDir}/: ${names.length > 0 ? names.join(', ') : 'none'}`;
  if (name === undefined || name === '') {
    throw new ConfigError(`choose an environment with -c env=NAME; ${choices}`);
  }
  if (typeof name !== 'string' || !names.includes(name)) {
    throw new ConfigError(
      `no environment "${String(name)}" (no ${shownDir}/${String(name)}.json); ${choices}`,
    );
  }
  const configFile = join(configDir, `${name}.json`);
  // A relative path keeps the messages short: "config/prod.json: routes[0].provider.type: …".
  const shownFile = relative(process.cwd(), configFile);
  const config = loadConfigFile(shownFile);
  checkRegion(config.deployment.region, shownFile);
  if (name !== LOCAL_ENVIRONMENT) {
    const issues = deployableIssues(config);
    if (issues.length > 0) {
      throw new ConfigError(
        `${shownFile}: ${issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`).join('; ')}`,
      );
    }
  }
  return { name, configFile, config };
}

/**
 * The function's schema checks only the shape of a region (it cannot carry aws-cdk-lib into the
 * bundle); here, a typo such as `eu-wst-1` would otherwise synthesise and fail only at deploy.
 */
function checkRegion(region: string | undefined, file: string): void {
  const problem = regionProblem(region);
  if (problem !== undefined) throw new ConfigError(`${file}: deployment.region: ${problem}`);
}

/** Why aws-cdk-lib would not deploy to this region, with the regions that start alike. */
export function regionProblem(region: string | undefined): string | undefined {
  const known = RegionInfo.regions.map((info) => info.name);
  if (region === undefined || known.includes(region)) return undefined;
  const near = known.filter((name) => name.startsWith(region.slice(0, 3)));
  return `"${region}" is not a region that aws-cdk-lib knows; ${
    near.length > 0
      ? `regions starting ${region.slice(0, 3)}: ${near.join(', ')}`
      : `known: ${known.join(', ')}`
  }`;
}
