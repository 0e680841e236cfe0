import { ConfigError } from '../../functions/core/errors.js';

/**
 * Before a tool reads Secrets Manager: the region and the credentials the SDK would use, so that a
 * missing one is answered with what to set, not with the SDK's error class on every route.
 */
export async function checkAwsAccess(configFile: string, region: string | undefined): Promise<void> {
  const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient(region === undefined ? {} : { region });
  try {
    try {
      await client.config.region();
    } catch {
      throw new ConfigError(
        `no AWS region: set "deployment": {"region": …} in ${configFile}, or AWS_REGION (or a profile with a region in AWS_PROFILE)`,
      );
    }
    try {
      await client.config.credentials();
    } catch {
      throw new ConfigError(
        'no AWS credentials: set AWS_PROFILE (after aws sso login or aws configure), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or give --secrets-file FILE to read the secrets from a file instead',
      );
    }
  } finally {
    client.destroy();
  }
}
