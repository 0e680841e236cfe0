/** `prod-eu-1` → `ProdEu1`: output names may only hold letters and digits. */
function pascalCase(id: string): string {
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The stack output that holds a route's URL. Kept apart from the stack so that scripts reading
 * `cdk deploy --outputs-file` find the same name without loading the CDK.
 */
export function webhookUrlOutputName(routeId: string): string {
  return `WebhookUrl${pascalCase(routeId)}`;
}

/** The stack name of an environment, as `cdk deploy -c env=NAME` creates it. */
export function stackNameOf(environment: string): string {
  return `FluxCommitStatus-${environment}`;
}
