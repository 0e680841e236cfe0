/** The Flux object an event is about, as its `involvedObject` names it. */
export interface FluxObject {
  kind: string;
  namespace: string;
  name: string;
}

/** `Kind/namespace/name`: the log line's, the queued delivery's and the pending index's form. */
export function objectName(object: FluxObject): string {
  return `${object.kind}/${object.namespace}/${object.name}`;
}

export function parseObject(text: string | undefined): FluxObject | undefined {
  const parts = text?.split('/');
  if (parts?.length !== 3 || parts[0] === '' || parts[2] === '') return undefined;
  const [kind, namespace, name] = parts as [string, string, string];
  return { kind, namespace, name };
}
