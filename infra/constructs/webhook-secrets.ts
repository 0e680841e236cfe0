import { ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { Route } from '../../functions/config/route-schema.js';
import { webhookKeyRefs } from '../../functions/config/webhook-secret.js';

/**
 * Every secret the routes name, webhook keys and forge credentials alike, then the environment's
 * own (the fleet environments' promotion webhook keys, the details pages' key), each once, in config order.
 */
export function secretNamesOf(
  routes: readonly Route[],
  environmentSecrets: readonly string[] = [],
): string[] {
  const names = new Set<string>();
  for (const route of routes) {
    // A shared secret of per-cluster keys is one secret, granted once, whatever keys the routes name.
    for (const { secret } of webhookKeyRefs(route.auth.secret)) names.add(secret);
    if (route.provider.secret !== undefined) names.add(route.provider.secret);
  }
  for (const name of environmentSecrets) names.add(name);
  return [...names];
}

export interface WebhookSecretsProps {
  routes: readonly Route[];
  /** The environment's own secrets: promotion webhook keys (`promotionSecretsOf`), the details pages' key. */
  environmentSecrets?: readonly string[];
  /** Create each secret given by name, empty, for a new environment (`deployment.createPlaceholderSecrets`). */
  createPlaceholders: boolean;
}

/**
 * The Secrets Manager secrets of the routes. They are referenced, never given a value here: tokens go in
 * with `aws secretsmanager put-secret-value`, so no token ever passes through a template or a log.
 */
export class WebhookSecrets extends Construct {
  /** Exactly the secrets the function may read, as IAM resources. */
  readonly resourceArns: string[];
  /** The forge credentials among them: all that the pending sweep reads. */
  readonly forgeArns: string[];
  readonly #names: string[];

  constructor(scope: Construct, id: string, props: WebhookSecretsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const names = secretNamesOf(props.routes, props.environmentSecrets);
    this.#names = names;
    this.resourceArns = names.map((name) => {
      // An ARN is granted as written: whoever wrote it chose the secret, suffix and all.
      if (name.startsWith('arn:')) return name;
      if (props.createPlaceholders) return this.#placeholder(name).ref;
      // Secrets Manager appends "-" and six random characters to a name to form the ARN.
      return stack.formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${name}-??????`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    });
    const forges = new Set(props.routes.flatMap((route) => route.provider.secret ?? []));
    this.forgeArns = this.resourceArns.filter((_, index) => forges.has(names[index] as string));
  }

  /** Reading a value is all the function does with a secret: GetSecretValue, nothing else. */
  grantRead(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: this.resourceArns,
    });
  }

  /** The secrets the details pages read: the page key, and the routes' secrets a page is scrubbed of. */
  grantDetailsRead(grantee: IGrantable, names: readonly string[]): Grant {
    const wanted = new Set(names);
    return Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: this.resourceArns.filter((_, index) => wanted.has(this.#names[index] as string)),
    });
  }

  /** The forge credentials alone: the pending sweep authenticates no webhook. */
  grantForgeRead(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: this.forgeArns,
    });
  }

  #placeholder(name: string): CfnSecret {
    // The construct id follows the name, not its position, so that reordering routes never replaces a
    // secret; "/" separates construct paths, and "|" can appear in no secret name.
    const secret = new CfnSecret(this, name.replaceAll('/', '|'), {
      name,
      // Neither SecretString nor GenerateSecretString: the secret is created without a value.
      description: `flux-commit-status: fill with put-secret-value, as {"token": "…"}`,
    });
    // A token put in by hand must survive the stack: deleting it would break every cluster using it.
    secret.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The value is issued by the forge or shared with Flux in the clusters, so it cannot be rotated by a ' +
        'Lambda; rotation is done by hand without a gap by listing the old and new webhook secrets in the route.',
    });
    return secret;
  }
}
