import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/paths.js';
import {
  BENCH_FIGURES_FILE,
  type BenchFigures,
  expectedBlock,
  figuresBlockOf,
  PERFORMANCE_DOC,
} from '../../scripts/bench/figures-file.js';

const figures: BenchFigures = JSON.parse(readFileSync(join(PROJECT_ROOT, BENCH_FIGURES_FILE), 'utf8'));
const doc = readFileSync(join(PROJECT_ROOT, PERFORMANCE_DOC), 'utf8');

describe('the figures the docs quote', () => {
  it('come from a run of the bench: the file it writes, with its machine and date', () => {
    expect(figures.results.machine.date).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(figures.results.machine.cores).toBeGreaterThan(0);
    expect(figures.floor.comparisons.length).toBeGreaterThan(0);
    expect(figures.fleet.length).toBeGreaterThan(0);
  });

  it('are, in docs/performance.md, exactly what the bench printed for that file', () => {
    expect(figuresBlockOf(doc)).toBe(expectedBlock(figures));
  });

  it('stand nowhere else in the docs as a current measurement', () => {
    // The dated sections are history; the README and the other pages quote no run's figures.
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    expect(readme).not.toMatch(/\d+(\.\d+)? ?(ms|µs)\b/);
    for (const heading of doc.match(/^## .+$/gm) ?? []) {
      if (heading === '## The last run') continue;
      if (/\d/.test(doc.slice(doc.indexOf(heading)).split('\n## ')[0] ?? '')) {
        expect(heading).toMatch(/history: the run of \d{4}-\d\d-\d\d/);
      }
    }
  });
});
