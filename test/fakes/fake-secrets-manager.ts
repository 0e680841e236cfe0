import { LoopbackServer, type ScriptedResponse } from './loopback-server.js';

/** What a real AWS SDK client needs to talk to a loopback fake instead of AWS. */
export function awsClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret-access-key' },
  };
}

/**
 * Secrets Manager's JSON protocol on 127.0.0.1, enough for GetSecretValue, so the real AWS SDK
 * client runs end to end. AWS itself is what cannot run here.
 */
export class FakeSecretsManager {
  readonly secrets = new Map<string, string>();
  /** Answers for the next calls, in order (AWS errors such as ThrottlingException). */
  readonly script: ScriptedResponse[] = [];
  readonly server = new LoopbackServer((request) => {
    const scripted = this.script.shift();
    if (scripted !== undefined) return scripted;
    if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
      return FakeSecretsManager.error('UnknownOperationException', 'only GetSecretValue here');
    }
    const { SecretId } = JSON.parse(request.body) as { SecretId: string };
    const value = this.secrets.get(SecretId);
    if (value === undefined) {
      return FakeSecretsManager.error(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    }
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: {
        ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${SecretId}-AbCdEf`,
        Name: SecretId,
        SecretString: value,
        VersionId: 'v1',
      },
    };
  });

  static error(type: string, message: string, status = 400): ScriptedResponse {
    return {
      status,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: { __type: type, message },
    };
  }

  get calls(): number {
    return this.server.requests.length;
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  clientConfig() {
    return awsClientConfig(this.server.url);
  }
}
