import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadEnvironment } from './environments.js';
import { FluxCommitStatusStack } from './flux-commit-status-stack.js';
import { stackNameOf } from './output-names.js';
import { CONFIG_DIR } from './paths.js';

export interface BuildAppOptions {
  /** Where the `<environment>.json` files are; tests point it at a folder of their own. */
  configDir?: string;
}

/**
 * The stack of the environment that `-c env=NAME` names, checked by cdk-nag's AwsSolutions pack: a
 * finding that is neither fixed nor acknowledged with a reason fails the synth.
 */
export function buildApp(app: App, options: BuildAppOptions = {}): FluxCommitStatusStack {
  const environment = loadEnvironment(app.node.tryGetContext('env'), options.configDir ?? CONFIG_DIR);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const { deployment } = environment.config;
  return new FluxCommitStatusStack(app, stackNameOf(environment.name), {
    environment,
    env: {
      account: deployment.account ?? process.env.CDK_DEFAULT_ACCOUNT,
      region: deployment.region ?? process.env.CDK_DEFAULT_REGION,
    },
    description: `flux-commit-status (${environment.name}): Flux notification webhooks to git commit statuses`,
    tags: { service: 'flux-commit-status', environment: environment.name },
  });
}
