import { execFile } from 'node:child_process';
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
export async function script(
  file: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  timeout = 30_000,
): Promise<ScriptResult> {
  const merged: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  return run(process.execPath, ['--import', 'tsx', file, ...args], { env: merged, timeout }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: ScriptResult) => error,
  );
}
