import * as z from 'zod/mini';
import { EnvironmentConfigSchema } from '../../functions/config/environment-config.js';

/** Where the generated schema lives; every `config/<env>.json` names it in `"$schema"`. */
export const CONFIG_SCHEMA_PATH = 'schema/config.schema.json';

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  [key: string]: unknown;
};

/**
 * The config's JSON Schema, for editors: generated from the zod schema the service validates with, as
 * the input it accepts (fields with a default are optional). Checks that JSON Schema cannot say (a
 * forge address, route ids that repeat) are left to `npm run check`.
 */
export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(EnvironmentConfigSchema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return {
    ...schema,
    title: 'flux-commit-status environment config (config/<env>.json)',
    description: 'Generated from the zod schemas by `npm run config-schema`; see docs/configuration.md.',
  };
}

/** The text of the schema file: stable, so that a test can tell when it is out of step. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

/**
 * Every field a config may hold, as `{ section, path }`: the section is a top-level key (`routes`,
 * `environments`, `deployment`, `detailsPage`) and the path is dotted below one of its entries
 * (`provider.apiUrl`, `retryQueue.maxAttempts`). A field that may be a value or an object
 * (`deployments: true | {…}`) is listed itself and with its members.
 */
export function configFields(schema: JsonSchema = configJsonSchema()): { section: string; path: string }[] {
  const fields: { section: string; path: string }[] = [];
  for (const [section, value] of Object.entries(schema.properties ?? {})) {
    fields.push({ section: '', path: section });
    const entry =
      value.items ?? (typeof value.additionalProperties === 'object' ? value.additionalProperties : value);
    for (const path of leaves(entry, '')) fields.push({ section, path });
  }
  return fields.filter((field) => field.path !== '');
}

function leaves(schema: JsonSchema, prefix: string): string[] {
  const options = schema.anyOf ?? schema.oneOf;
  if (options !== undefined) {
    const objects = options.filter((option) => option.properties !== undefined);
    const paths = [...new Set(objects.flatMap((option) => leaves(option, prefix)))];
    return objects.length < options.length ? [prefix, ...paths] : paths;
  }
  if (schema.properties === undefined) return [prefix];
  return Object.entries(schema.properties).flatMap(([key, value]) =>
    leaves(value, prefix === '' ? key : `${prefix}.${key}`),
  );
}
