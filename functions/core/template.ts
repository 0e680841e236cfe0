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

/** The names of the placeholders in `template`, each once. */
export function templateFields(template: string): string[] {
  return [...new Set(Array.from(template.matchAll(PLACEHOLDER), (match) => match[1] as string))];
}

/** The longest value, in characters, that an event may put into a context or a target URL. */
export const TEMPLATE_VALUE_LIMIT = 100;

/**
 * Control, format (bidirectional overrides U+202A–U+202E and isolates U+2066–U+2069, marks U+200E/F,
 * zero-width characters), private-use, unassigned and lone surrogate code points, and line and
 * paragraph separators: none belongs in a status name, and each can make one read as another.
 */
const UNPRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;

/** True when the text has a character that no status name or link may carry (see above). */
export function hasUnprintable(value: string): boolean {
  return UNPRINTABLE.test(value);
}

/** Says what is wrong with a value from an event before it is put into a template, if anything. */
export function templateValueProblem(value: string): string | undefined {
  if (hasUnprintable(value)) {
    return 'has a control, bidirectional or other unprintable character';
  }
  const length = Array.from(value).length;
  if (length > TEMPLATE_VALUE_LIMIT) {
    return `is ${length} characters long; a value used in a template may have at most ${TEMPLATE_VALUE_LIMIT}`;
  }
  return undefined;
}
