/**
 * One simulated Lambda container of the cost model, in a fresh `node` process: it imports a bundle
 * and handles the invocations the bench sends it over IPC, one at a time, as Lambda hands events to
 * a container. For each it reports the CPU spent and what the handler wrote to stdout and stderr,
 * which Lambda ships to CloudWatch Logs; the text itself goes nowhere. esbuild bundles this file on
 * its own, so no TypeScript loader runs here.
 *
 *   node container.mjs <bundle> <timeoutMs>
 */
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ContainerMessage, Invocation } from './cost-protocol.js';

type Handler = (
  event: APIGatewayProxyEventV2,
  context: { getRemainingTimeInMillis(): number; awsRequestId: string },
) => Promise<{ statusCode: number; body: string }>;

const log = { bytes: 0, lines: 0 };

/** Lambda's capture of a write: every line is one log event, its newline not counted. */
function capture(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  for (const line of text.split('\n')) {
    if (line === '') continue;
    log.lines++;
    log.bytes += Buffer.byteLength(line, 'utf8');
  }
  const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
  done?.();
  return true;
}
const stderr = process.stderr.write.bind(process.stderr);
process.stdout.write = capture as typeof process.stdout.write;
process.stderr.write = capture as typeof process.stderr.write;

const send = (message: ContainerMessage) => process.send?.(message);

async function main(): Promise<void> {
  const [bundle = '', timeout = '12000'] = process.argv.slice(2);
  const timeoutMs = Number(timeout);
  const cpu = process.cpuUsage();
  const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: Handler };
  const importCpu = process.cpuUsage(cpu);
  send({ kind: 'ready', importCpuUs: importCpu.user + importCpu.system });
  let sequence = 0;
  process.on(
    'message',
    async (message: { kind: 'invoke'; event: APIGatewayProxyEventV2 } | { kind: 'stop' }) => {
      if (message.kind === 'stop') {
        global.gc?.();
        const { heapUsed } = process.memoryUsage();
        send({
          kind: 'stopped',
          maxRssMb: process.resourceUsage().maxRSS / 1024,
          heapUsedMb: heapUsed / 2 ** 20,
        });
        process.disconnect();
        return;
      }
      log.bytes = 0;
      log.lines = 0;
      const deadline = Date.now() + timeoutMs;
      const started = process.cpuUsage();
      const begun = performance.now();
      const response = await handler(message.event, {
        getRemainingTimeInMillis: () => deadline - Date.now(),
        awsRequestId: `request-${++sequence}`,
      });
      const used = process.cpuUsage(started);
      const invocation: Invocation = {
        kind: 'invoked',
        cpuUs: used.user + used.system,
        wallMs: performance.now() - begun,
        logBytes: log.bytes,
        logLines: log.lines,
        statusCode: response.statusCode,
        outcome: (JSON.parse(response.body) as { outcome?: string }).outcome ?? 'none',
        ...(response.statusCode >= 300 ? { answer: response.body.slice(0, 500) } : {}),
      };
      send(invocation);
    },
  );
}

main().catch((error: unknown) => {
  stderr(`${(error as Error)?.stack ?? error}\n`);
  process.exit(1);
});
