/**
 * `{{name}}` placeholders and nothing else: values are looked up, never evaluated, so a template in a
 * config file or a value in an event can never run code.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

export type TemplateValues = Readonly<Record<string, string | undefined>>;

/** Says what is wrong with a template, or `undefined` when every `{{` opens a valid placeholder. */
export function templateProblem(template: string): string | undefined {
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    return 'placeholders are written {{name}} with letters, digits, "_", "." or "-"';
  }
  return undefined;
}

/** Substitutes known values; an unknown placeholder becomes empty. `encode` escapes each value. */
export function renderTemplate(
  template: string,
  values: TemplateValues,
  encode: (value: string) => string = (value) => value,
): string {
  return template.replace(PLACEHOLDER, (_, key: string) => {
    const value = Object.hasOwn(values, key) ? values[key] : undefined;
    return value === undefined ? '' : encode(value);
  });
}
