import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FUNCTION_KINDS, functionVariables } from '../../functions/config/function-environment.js';
import { configFields } from '../../scripts/lib/config-schema.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
/** Code blocks hold shell and YAML, whose `#` and `](` are not Markdown. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to "-", repeats numbered. */
function anchorsOf(text: string): Set<string> {
  const counts = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of prose(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = (heading as string)
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const seen = counts.get(slug) ?? 0;
    counts.set(slug, seen + 1);
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`);
  }
  return anchors;
}

/** Every relative link (Markdown or an `<img src>`) of a page, with the page it is on. */
function relativeLinks(file: string): string[] {
  return [...prose(read(file)).matchAll(/\]\(([^)\s]+)\)|src="([^"]+)"/g)]
    .map((match) => (match[1] ?? match[2]) as string)
    .filter((target) => !/^[a-z]+:/i.test(target));
}

describe('the documentation', () => {
  it('keeps the README short: what it is, the commands, the deploy, Flux, and links', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(250);
    expect(DOCS.length).toBeGreaterThan(8);
  });

  it('has every relative link and anchor resolve, in the README and every page of docs/', () => {
    const broken: string[] = [];
    for (const file of DOCS) {
      for (const link of relativeLinks(file)) {
        const [path = '', anchor] = link.split('#');
        const target = path === '' ? file : relative(ROOT, join(ROOT, dirname(file), path));
        if (!existsSync(join(ROOT, target))) {
          broken.push(`${file}: ${link} (no ${target})`);
        } else if (anchor !== undefined) {
          const isPage = target.endsWith('.md') && statSync(join(ROOT, target)).isFile();
          if (!isPage || !anchorsOf(read(target)).has(anchor))
            broken.push(`${file}: ${link} (no #${anchor})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('links every page of docs/ from the README', () => {
    const linked = new Set(relativeLinks('README.md').map((link) => link.split('#')[0]));
    const unlinked = DOCS.filter((file) => file !== 'README.md' && !linked.has(file));
    expect(unlinked).toEqual([]);
  });
});

describe('the configuration reference', () => {
  const reference = read('docs/configuration.md');
  /** The table rows of each section: the file's own fields first, then one `## ` heading per section. */
  const SECTIONS: Record<string, string> = {
    '': '',
    routes: 'Routes',
    environments: 'Environments',
    detailsPage: 'Details pages',
    deployment: 'Deployment',
  };
  function rowsOf(heading: string): string {
    const start = heading === '' ? 0 : reference.indexOf(`\n## ${heading}\n`);
    expect(start, `a "## ${heading}" section`).toBeGreaterThanOrEqual(0);
    const end = reference.indexOf('\n## ', start + 1);
    const body = reference.slice(start, end === -1 ? undefined : end);
    return body
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .join('\n');
  }

  it('documents every field of every section of the config schema, in that section', () => {
    const fields = configFields();
    const missing = fields.filter(({ section, path }) => {
      const heading = SECTIONS[section];
      return heading === undefined || !rowsOf(heading).includes(`\`${path}\``);
    });
    expect(fields.length).toBeGreaterThan(60);
    expect(missing).toEqual([]);
  });

  it('lists every environment variable the code reads in its table', () => {
    const table = reference.slice(reference.indexOf('\n## Environment variables\n'));
    const sources = ['functions', 'infra', 'scripts'].flatMap((dir) => sourceFiles(join(ROOT, dir)));
    const names = new Set<string>();
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const [, name] of text.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(name as string);
      for (const [, list] of text.matchAll(/\{([^}]*)\}\s*=\s*process\.env/g)) {
        for (const name of (list as string).split(',').map((part) => part.trim())) {
          if (/^[A-Z][A-Z0-9_]*$/.test(name)) names.add(name);
        }
      }
    }
    // The function's own variables, as the stack sets them for each of its functions.
    const stackValues = {
      ledgerTable: 'table',
      retryQueue: { url: 'https://queue', deadLetterUrl: 'https://dlq', maxAttempts: 8 },
      detailsBaseUrl: 'https://status.example.com',
    };
    for (const kind of FUNCTION_KINDS) {
      for (const name of Object.keys(functionVariables(kind, stackValues))) names.add(name);
    }
    expect(names.size).toBeGreaterThan(8);
    expect([...names].filter((name) => !table.includes(`\`${name}\``)).sort()).toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}
