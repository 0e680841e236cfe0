/** What a cost-model container (container.ts) tells the bench over IPC. */
export interface Invocation {
  kind: 'invoked';
  cpuUs: number;
  wallMs: number;
  /** What the handler logged: bytes without the newlines, and lines (each a CloudWatch log event). */
  logBytes: number;
  logLines: number;
  statusCode: number;
  outcome: string;
  /** The answer's body, when it was no success. */
  answer?: string;
}

export type ContainerMessage =
  | { kind: 'ready'; importCpuUs: number }
  | Invocation
  | { kind: 'stopped'; maxRssMb: number; heapUsedMb: number };
