/**
 * `npm run config-schema`: writes the config's JSON Schema, generated from the zod schemas, for
 * editors (`"$schema": "../schema/config.schema.json"` in each config file). A test fails when the
 * committed file is out of step; run this to bring it back.
 */
import { writeFileSync } from 'node:fs';
import { runTool } from './lib/cli.js';
import { CONFIG_SCHEMA_PATH, configJsonSchemaText } from './lib/config-schema.js';

const USAGE = `Usage: npm run -s config-schema

Writes ${CONFIG_SCHEMA_PATH} from the zod schemas the service validates its config with, and prints
its path. Editors read it through "$schema" in each config file. It takes no config of its own.
`;

await runTool({ name: 'config-schema', usage: USAGE, options: {}, config: false }, () => {
  writeFileSync(CONFIG_SCHEMA_PATH, configJsonSchemaText());
  process.stdout.write(`${CONFIG_SCHEMA_PATH}\n`);
  return 0;
});
