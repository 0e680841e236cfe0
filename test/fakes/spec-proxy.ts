import { readSpec, type SpecName } from './forge-specs.js';
import { LoopbackServer } from './loopback-server.js';
import { checkAgainstSpec } from './spec-check.js';

/**
 * A loopback proxy in front of Prism: clients talk to it as to the forge, Prism answers from the
 * forge's official description, and every violation found is kept for the test to assert on.
 */
export async function startSpecProxy(name: SpecName, prismUrl: string, stripPrefix?: string) {
  const violations: string[] = [];
  const options = {
    prismUrl,
    extraConstraints: readSpec(name)['x-contract'].extraConstraints,
    ...(stripPrefix === undefined ? {} : { stripPrefix }),
  };
  const server = await new LoopbackServer(async (request) => {
    const { response, violations: found } = await checkAgainstSpec(options, request);
    violations.push(...found.map((violation) => `${request.method} ${request.path}: ${violation}`));
    return response;
  }).start();
  return { server, violations, url: server.url };
}
