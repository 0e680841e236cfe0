import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { synthEnvironment } from './cdk-app.js';

const UNKNOWN_ROUTE_EVENT = {
  version: '2.0',
  routeKey: 'POST /hooks/{route}',
  rawPath: '/hooks/nowhere',
  pathParameters: { route: 'nowhere' },
  headers: { 'content-type': 'application/json' },
  requestContext: { http: { method: 'POST', path: '/hooks/nowhere' } },
  body: '{}',
  isBase64Encoded: false,
};

/**
 * The one test that really bundles: esbuild runs locally (no Docker, no network), the route config lands
 * beside the handler, and the bundle starts and answers from that file alone.
 */
describe('the function bundle of the dev environment', () => {
  const { app, template } = synthEnvironment('dev', { bundle: true });
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
  const assetDir = join(app.synth().directory, fn?.Metadata['aws:asset:path'] as string);

  it('holds the ESM handler, its chunks, their source maps and routes.json beside them', () => {
    expect(fn?.Metadata['aws:asset:is-bundled']).toBe(true);
    expect(fn?.Properties.Handler).toBe('index.handler');
    const chunks = readdirSync(join(assetDir, 'chunks'));
    expect(chunks.filter((name) => name.endsWith('.mjs')).length).toBeGreaterThan(3);
    expect(chunks.filter((name) => name.endsWith('.mjs.map')).length).toBe(
      chunks.filter((name) => name.endsWith('.mjs')).length,
    );
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(code.startsWith('import { createRequire as __createRequire }')).toBe(true);
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    expect(JSON.parse(readFileSync(join(assetDir, 'index.mjs.map'), 'utf8')).sources).toEqual(
      expect.arrayContaining([expect.stringMatching(/functions\/lambda\/handler\.ts$/)]),
    );
    expect(readFileSync(join(assetDir, 'routes.json'), 'utf8')).toBe(
      readFileSync(new URL('../../config/dev.json', import.meta.url), 'utf8'),
    );
  });

  it('bundles the AWS SDK instead of expecting the runtime to provide it, out of the entry chunk', () => {
    const entry = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    const code = readdirSync(join(assetDir, 'chunks'))
      .filter((name) => name.endsWith('.mjs'))
      .map((name) => readFileSync(join(assetDir, 'chunks', name), 'utf8'))
      .join('\n');
    expect(`${entry}${code}`).not.toMatch(/from\s*["']@aws-sdk\//);
    expect(code).toContain('SecretsManagerClient');
    // Loaded on the first secret, not at cold start.
    expect(code).toContain('GetSecretValue');
    expect(entry).not.toContain('GetSecretValue');
  });

  it('starts from routes.json and answers an unknown route, without any network', () => {
    // Plain Node.js, as Lambda runs it: the bundle alone, its config found beside it.
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(join(assetDir, 'index.mjs')).href)});
      const response = await handler(${JSON.stringify(UNKNOWN_ROUTE_EVENT)}, {});
      process.stdout.write(JSON.stringify(response));
    `;
    const { CONFIG_FILE: _, ...env } = process.env;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...env, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
      encoding: 'utf8',
      // Powertools' notes on stderr (no metrics to publish) are not this test's business.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const response = JSON.parse(output);
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'route-not-found' });
  });
});
