import { describe, expect, it } from 'vitest';
import { renderTemplate, templateProblem } from '../../functions/core/template.js';
import { reasonToWords, truncate } from '../../functions/core/text.js';

describe('reasonToWords', () => {
  it.each([
    ['HealthCheckFailed', 'health check failed'],
    ['ReconciliationSucceeded', 'reconciliation succeeded'],
    ['Progressing', 'progressing'],
    ['DependencyNotReady', 'dependency not ready'],
    ['OCIArtifactPullFailed', 'oci artifact pull failed'],
    ['', ''],
  ])('%s → "%s"', (reason, words) => {
    expect(reasonToWords(reason)).toBe(words);
  });
});

describe('truncate', () => {
  it('keeps text within the limit as it is', () => {
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('cuts to the limit with an ellipsis, counting code points', () => {
    const cut = truncate('é'.repeat(200), 140);
    expect(Array.from(cut)).toHaveLength(140);
    expect(cut.endsWith('…')).toBe(true);
  });

  it('never splits a surrogate pair', () => {
    const cut = truncate('😀'.repeat(10), 5);
    expect(cut).toBe('😀😀😀😀…');
  });
});

describe('templates', () => {
  it('substitutes known values and leaves unknown placeholders empty', () => {
    expect(renderTemplate('{{kind}}/{{ name }}/{{missing}}', { kind: 'K', name: 'n' })).toBe('K/n/');
  });

  it('never evaluates a value or reaches the prototype', () => {
    expect(renderTemplate('{{constructor}}{{__proto__}}', {})).toBe('');
    expect(renderTemplate('{{v}}', { v: '{{kind}}' })).toBe('{{kind}}');
  });

  it('escapes values with the given encoder', () => {
    expect(renderTemplate('https://x/?c={{c}}', { c: 'a b&c=/' }, encodeURIComponent)).toBe(
      'https://x/?c=a%20b%26c%3D%2F',
    );
  });

  it.each(['{{kind', '{{ki nd}}', 'x}}', '{{${x}}}'])('says what is wrong with %s', (template) => {
    expect(templateProblem(template)).toMatch(/placeholders are written/);
  });
});
