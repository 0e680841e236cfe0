import { describe, expect, it } from 'vitest';
import { contextPattern, patternsOverlap } from '../../functions/config/context-overlap.js';

describe('context templates that can render alike', () => {
  const overlap = (a: string, b: string) =>
    patternsOverlap(
      contextPattern(a, { cluster: 'prod-eu-1' }),
      contextPattern(b, { environment: 'production' }),
    );

  it.each([
    ['flux/{{env}}/{{kind}}/{{name}}', 'flux/{{environment}}/{{kind}}/{{name}}', true],
    ['{{kind}}/{{name}}/{{cluster}}', 'flux/{{environment}}/{{kind}}/{{name}}', false],
    ['flux/production/{{name}}/{{kind}}', 'flux/{{environment}}/{{kind}}/{{name}}', true],
    ['FLUX/Production/kustomization/apps', 'flux/{{environment}}/{{kind}}/{{name}}', true],
    ['flux/{{cluster}}/{{kind}}/{{name}}', 'flux/{{environment}}/{{kind}}/{{name}}', false],
    ['{{anything}}', 'flux/{{environment}}/{{kind}}/{{name}}', true],
    ['flux/{{name}}', 'flux/{{environment}}/{{kind}}/{{name}}', false],
    ['rollup-{{kind}}', 'rollup-{{environment}}', true],
  ])('%s and %s: %s', (route, rollup, expected) => {
    expect(overlap(route, rollup)).toBe(expected);
  });
});
