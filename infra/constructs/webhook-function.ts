import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { Code, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Deployment } from '../../functions/config/deployment-schema.js';
import { bundleHandler, HANDLER_ENTRY } from '../bundling.js';
import { PROJECT_ROOT } from '../paths.js';
import { createStackFunction } from './stack-function.js';

/** The handler looks for its config here, beside the bundled code (functions/lambda/handler.ts). */
export const BUNDLED_CONFIG_FILE = 'routes.json';

/**
 * The function's code: the shared esbuild build (infra/bundling.ts), which `npm run bench` measures,
 * with the route config copied beside it. The function reads the config at start-up without a network
 * call, and the asset's hash is the output's, so a config change changes the asset. NodejsFunction is
 * not used because it cannot split the bundle into chunks (it always passes esbuild `--outfile`).
 */
export function handlerCode(configFile: string): Code {
  return Code.fromAsset(join(PROJECT_ROOT, 'functions'), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling always succeeds, and Docker is neither needed nor available.
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs24.x'),
      local: {
        tryBundle(outputDir) {
          bundleHandler(outputDir, join(PROJECT_ROOT, HANDLER_ENTRY));
          copyFileSync(configFile, join(outputDir, BUNDLED_CONFIG_FILE));
          return true;
        },
      },
    },
  });
}

export interface WebhookFunctionProps {
  /** The environment's config file, bundled verbatim: the function validates it again at cold start. */
  configFile: string;
  deployment: Deployment;
  logRetention: RetentionDays;
}

/** The relay Lambda, its own log group and a role that may write to that log group and nothing more. */
export class WebhookFunction extends Construct {
  readonly kind = 'webhook' as const;
  readonly function: LambdaFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  /** The bundle, which the pending sweep's function runs too. */
  readonly code: Code;

  constructor(scope: Construct, id: string, props: WebhookFunctionProps) {
    super(scope, id);
    const { deployment } = props;
    this.code = handlerCode(props.configFile);
    ({
      function: this.function,
      role: this.role,
      logGroup: this.logGroup,
    } = createStackFunction(this, this.kind, {
      code: this.code,
      description: 'Flux notification webhook to git commit status',
      roleDescription: 'flux-commit-status relay: writes its log group and reads the configured secrets',
      memorySize: deployment.memorySize,
      // Flux gives a webhook 15 s in all; the relay spends at most 9 s on the forge.
      timeout: Duration.seconds(deployment.timeoutSeconds),
      reservedConcurrentExecutions: deployment.reservedConcurrency,
      logRetention: props.logRetention,
    }));
  }
}
