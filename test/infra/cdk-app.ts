import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app.js';
import type { FluxCommitStatusStack } from '../../infra/flux-commit-status-stack.js';

/** cdk.json's feature flags, so that a test synthesises exactly what `npx cdk synth` does. */
const CDK_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
).context;

export interface Synthesised {
  app: App;
  stack: FluxCommitStatusStack;
  template: Template;
}

export interface EnvironmentOptions {
  configDir?: string;
  /** Run esbuild for real; by default bundling is skipped, as `aws:cdk:bundling-stacks: []` does. */
  bundle?: boolean;
}

/** The app of one environment, as `cdk synth -c env=…` builds it, not yet synthesised. */
export function environmentApp(env: string | undefined, options: EnvironmentOptions = {}) {
  const context: Record<string, unknown> = {
    ...CDK_CONTEXT,
    // The CLI asks for asset metadata by default; it tells where a function's bundle is.
    'aws:cdk:enable-asset-metadata': true,
    ...(env === undefined ? {} : { env }),
  };
  if (options.bundle !== true) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ context });
  const stack = buildApp(app, options.configDir === undefined ? {} : { configDir: options.configDir });
  return { app, stack };
}

/** Synthesises one environment offline, with cdk-nag running as it does in `cdk synth`. */
export function synthEnvironment(env: string | undefined, options: EnvironmentOptions = {}): Synthesised {
  const { app, stack } = environmentApp(env, options);
  return { app, stack, template: Template.fromStack(stack) };
}

/** A config folder of the test's own, holding `<name>.json` for each entry. */
export function configDirWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'flux-commit-status-config-'));
  for (const [name, config] of Object.entries(files)) {
    writeFileSync(join(dir, `${name}.json`), typeof config === 'string' ? config : JSON.stringify(config));
  }
  return dir;
}

/** A route as the README shows it; tests vary one field at a time. */
export const ROUTE = {
  id: 'prod-eu-1',
  cluster: 'prod-eu-1',
  auth: { type: 'hmac', secret: 'flux-commit-status/prod-eu-1/webhook' },
  provider: {
    type: 'github',
    address: 'https://github.com/acme/fleet-infra',
    secret: 'flux-commit-status/github-acme',
  },
};

/**
 * A CloudFormation value as one string, intrinsic functions written `${Ref}` and `${Id.Attr}`, so that
 * an ARN or a URL can be compared with one expected text.
 */
export function cfnText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return `\${${String(object.Ref)}}`;
  if ('Fn::GetAtt' in object) return `\${${(object['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(cfnText).join(separator);
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}
