import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage, Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Deployment } from '../../functions/config/deployment-schema.js';
import { tellFunction } from '../../functions/config/function-environment.js';
import { bundleHandler, HANDLER_ENTRY } from '../bundling.js';
import { PROJECT_ROOT } from '../paths.js';

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
    // Created here rather than by Lambda on first write, so that it has a retention from day one.
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    // Without the managed AWSLambdaBasicExecutionRole, whose log permissions cover every log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'flux-commit-status relay: writes its log group and reads the configured secrets',
    });
    this.logGroup.grantWrite(this.role);

    this.code = handlerCode(props.configFile);
    this.function = new LambdaFunction(this, 'Handler', {
      code: this.code,
      handler: 'index.handler',
      description: 'Flux notification webhook to git commit status',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: deployment.memorySize,
      // Flux gives a webhook 15 s in all; the relay spends at most 9 s on the forge.
      timeout: Duration.seconds(deployment.timeoutSeconds),
      reservedConcurrentExecutions: deployment.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
    });
    // Its kind and the service's names; each resource it uses adds its own as it is connected.
    tellFunction(this.function, this.kind, {});
  }
}
