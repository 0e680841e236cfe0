import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A script of the project as npm runs it, under tsx, with `env` over this process's environment
 * (a value of `undefined` removes the variable); its exit code, stdout and stderr.
 */
function environment(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}

export interface RunningScript {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Both streams, in the order they arrived. */
  output: () => string;
  exited: Promise<number | null>;
  /** Waits, boundedly, until the output matches. */
  waitFor: (pattern: RegExp, tries?: number) => Promise<void>;
}

/**
 * A long-running script of the project (the local server, the bench) under tsx, in its own process
 * group (`process.kill(-child.pid)` stops its children too), with its output collected.
 */
export function startScript(
  file: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): RunningScript {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    env: environment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const seen = { stdout: '', stderr: '', output: '' };
  child.stdout?.on('data', (chunk) => {
    seen.stdout += chunk;
    seen.output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    seen.stderr += chunk;
    seen.output += chunk;
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    child,
    stdout: () => seen.stdout,
    stderr: () => seen.stderr,
    output: () => seen.output,
    exited,
    async waitFor(pattern, tries = 300) {
      for (let i = 0; i < tries && !pattern.test(seen.output); i++) {
        await new Promise((done) => setTimeout(done, 100));
      }
    },
  };
}

export async function script(
  file: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  timeout = 30_000,
): Promise<ScriptResult> {
  return run(process.execPath, ['--import', 'tsx', file, ...args], { env: environment(env), timeout }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: ScriptResult) => error,
  );
}
