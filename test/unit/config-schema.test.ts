import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { listEnvironments } from '../../infra/environments.js';
import { CONFIG_DIR, PROJECT_ROOT } from '../../infra/paths.js';
import {
  CONFIG_SCHEMA_PATH,
  configJsonSchema,
  configJsonSchemaText,
} from '../../scripts/lib/config-schema.js';

describe('the JSON Schema of the config', () => {
  it('is in step with the zod schemas (npm run config-schema writes it again)', () => {
    expect(readFileSync(join(PROJECT_ROOT, CONFIG_SCHEMA_PATH), 'utf8')).toBe(configJsonSchemaText());
  });

  it.each(listEnvironments(CONFIG_DIR))('is named by config/%s.json, for editors', (env) => {
    const config = JSON.parse(readFileSync(join(CONFIG_DIR, `${env}.json`), 'utf8'));
    expect(config.$schema).toBe(`../${CONFIG_SCHEMA_PATH}`);
  });

  it('lets an editor flag a kind in the wrong case and a field that does not exist', () => {
    const route = (configJsonSchema().properties?.routes?.items ?? {}) as {
      additionalProperties?: boolean;
      properties?: { events?: { properties?: { kinds?: { items?: { enum?: string[] } } } } };
    };
    expect(route.additionalProperties).toBe(false);
    const kinds = route.properties?.events?.properties?.kinds?.items?.enum ?? [];
    expect(kinds).toContain('HelmRelease');
    expect(kinds).not.toContain('helmrelease');
  });
});

describe('the formatter and config/', () => {
  const biome = join(PROJECT_ROOT, 'node_modules/.bin/biome');
  const run = promisify(execFile);
  /** biome check in a folder with the project's biome.json and one config file of the given text. */
  async function checkConfigText(text: string) {
    const folder = mkdtempSync(join(tmpdir(), 'fcs-biome-'));
    try {
      copyFileSync(join(PROJECT_ROOT, 'biome.json'), join(folder, 'biome.json'));
      mkdirSync(join(folder, 'config'));
      writeFileSync(join(folder, 'config', 'staging.json'), text);
      return await run(biome, ['check', '.'], { cwd: folder }).then(
        () => 0,
        (error: { code: number }) => error.code,
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  it('leaves the layout of a hand-edited config alone', async () => {
    const handEdited =
      '{"routes": [{"id": "staging-1",\n      "auth": {"secret": "w"}}],\n "deployment":{}}\n';
    expect(await checkConfigText(handEdited)).toBe(0);
  });

  it('still refuses a config that is not JSON', async () => {
    expect(await checkConfigText('{"routes": [')).toBe(1);
  });
});
