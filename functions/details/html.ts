/**
 * Control, format (bidirectional overrides and isolates, zero-width characters), private-use and
 * unassigned code points, and line and paragraph separators: shown as their code, never obeyed, so
 * that no event can make the page read other than it is. Newlines and tabs stay.
 */
const UNPRINTABLE = /(?![\n\t])[\p{C}\p{Zl}\p{Zp}]/gu;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text from an event, made safe for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text
    .replace(
      UNPRINTABLE,
      (char) => `[U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}]`,
    )
    .replace(/[&<>"']/g, (char) => ENTITIES[char] as string);
}

/** A template literal tag whose every value is escaped, unless it is markup this module made. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

type Value = string | number | Html | readonly Html[];

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let markup = strings[0] ?? '';
  values.forEach((value, index) => {
    if (value instanceof Html) markup += value.markup;
    else if (Array.isArray(value)) markup += value.map((part: Html) => part.markup).join('');
    else markup += escapeHtml(String(value));
    markup += strings[index + 1] ?? '';
  });
  return new Html(markup);
}
