/**
 * The CDK app: `npx cdk deploy -c env=prod` deploys config/prod.json as the stack FluxCommitStatus-prod.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../functions/core/errors.js';
import { buildApp } from './build-app.js';

const app = new App();
try {
  buildApp(app);
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // The message names the file and the field; a stack trace would only bury it.
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
