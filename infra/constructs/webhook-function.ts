import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Deployment } from '../../functions/core/routes-config.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/webhook/observe-delivery.js';
import { BUNDLE, HANDLER_ENTRY } from '../bundling.js';
import { PROJECT_ROOT } from '../paths.js';

/** The handler looks for its config here, beside the bundled code (functions/webhook/handler.ts). */
export const BUNDLED_CONFIG_FILE = 'routes.json';

const FORMATS = { esm: OutputFormat.ESM, cjs: OutputFormat.CJS } as const;

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The shared esbuild settings (infra/bundling.ts) in NodejsFunction's words, so that the bundle the
 * benchmark measures is the bundle that is deployed. The route config is copied beside the bundle:
 * the function reads it at start-up without a network call, and a config change changes the asset.
 */
export function bundlingOptions(configFile: string): BundlingOptions {
  return {
    format: FORMATS[BUNDLE.format],
    target: BUNDLE.target,
    minify: BUNDLE.minify,
    sourceMap: BUNDLE.sourcemap,
    mainFields: [...BUNDLE.mainFields],
    banner: BUNDLE.banner,
    // Nothing external: the AWS SDK the tests ran is the one deployed, and a bundled SDK loads faster
    // than the runtime's copy.
    externalModules: [],
    // Docker is neither needed nor available: esbuild from node_modules bundles on this machine.
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir, outputDir) => [
        `cp ${shellQuote(configFile)} ${shellQuote(join(outputDir, BUNDLED_CONFIG_FILE))}`,
      ],
    },
  };
}

export interface WebhookFunctionProps {
  /** The environment's config file, bundled verbatim: the function validates it again at cold start. */
  configFile: string;
  deployment: Deployment;
  logRetention: RetentionDays;
}

/** The relay Lambda, its own log group and a role that may write to that log group and nothing more. */
export class WebhookFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

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

    this.function = new NodejsFunction(this, 'Handler', {
      entry: join(PROJECT_ROOT, HANDLER_ENTRY),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: 'Flux notification webhook to git commit status',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: deployment.memorySize,
      // Flux gives a webhook 15 s in all; the relay spends at most 9 s on the forge.
      timeout: Duration.seconds(deployment.timeoutSeconds),
      reservedConcurrentExecutions: deployment.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Stack traces in the log point at the TypeScript sources, not at the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: bundlingOptions(props.configFile),
    });
  }
}
