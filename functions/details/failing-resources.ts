/** A Kubernetes object that a Flux message names with its status. */
export interface FailingResource {
  /** `Kind/namespace/name`, or `Kind/name` for a cluster-scoped object, as Flux writes it. */
  object: string;
  status: string;
}

/**
 * kustomize-controller and helm-controller name the objects a health check waited for as
 * `Deployment/apps/podinfo status: 'InProgress'`, in a bracketed, comma-separated list
 * (`timeout waiting for: [...]`, `failed early due to stalled resources: [...]`).
 */
const NAMED_WITH_STATUS =
  /([A-Z][A-Za-z0-9]{0,62}\/(?:[a-z0-9][-a-z0-9.]{0,252}\/)?[a-z0-9][-a-z0-9.]{0,252}) status: '([^'\n]{1,64})'/g;

/** The objects a message names as failing, each once, in the message's order. */
export function failingResources(message: string): FailingResource[] {
  const seen = new Set<string>();
  const resources: FailingResource[] = [];
  for (const match of message.matchAll(NAMED_WITH_STATUS)) {
    const object = match[1] as string;
    if (seen.has(object)) continue;
    seen.add(object);
    resources.push({ object, status: match[2] as string });
  }
  return resources;
}
