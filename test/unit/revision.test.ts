import { describe, expect, it } from 'vitest';
import { parseRevision } from '../../functions/core/revision.js';

const SHA = 'df277975d2783b0e7fd4d0487d990bd60442923c';

describe('parseRevision', () => {
  it.each([
    ['branch', `main@sha1:${SHA}`, { sha: SHA, ref: 'main' }],
    ['branch with a slash', `feature/x@sha1:${SHA}`, { sha: SHA, ref: 'feature/x' }],
    ['tag', `v1.2.3@sha1:${SHA}`, { sha: SHA, ref: 'v1.2.3' }],
    ['full ref', `refs/heads/main@sha1:${SHA}`, { sha: SHA, ref: 'main' }],
    ['digest only', `sha1:${SHA}`, { sha: SHA }],
    ['legacy main/<sha>', `main/${SHA}`, { sha: SHA, ref: 'main' }],
    ['legacy with a nested branch', `release/2026/${SHA}`, { sha: SHA, ref: 'release/2026' }],
    ['bare SHA', SHA, { sha: SHA }],
    ['upper-case SHA', SHA.toUpperCase(), { sha: SHA }],
    ['tag with a plus', `v1.2.3+build.7@sha1:${SHA}`, { sha: SHA, ref: 'v1.2.3+build.7' }],
    // What no git ref may be, or what a payload must not carry: the commit alone, without the ref.
    ['ref with quotes', `main"'@sha1:${SHA}`, { sha: SHA }],
    ['ref with a command substitution', `$(curl evil)@sha1:${SHA}`, { sha: SHA }],
    ['ref with a newline', `main\nx@sha1:${SHA}`, { sha: SHA }],
    ['ref with a space', `my branch@sha1:${SHA}`, { sha: SHA }],
    ['ref with ".."', `a..b@sha1:${SHA}`, { sha: SHA }],
    ['ref ending in ".lock"', `main.lock@sha1:${SHA}`, { sha: SHA }],
    ['ref with an empty part', `a//b@sha1:${SHA}`, { sha: SHA }],
    ['ref part starting with a dot', `a/.b@sha1:${SHA}`, { sha: SHA }],
    ['ref of 300 characters', `${'a'.repeat(300)}@sha1:${SHA}`, { sha: SHA }],
  ])('finds the commit in a %s revision', (_, revision, expected) => {
    // Act
    const result = parseRevision(revision);

    // Assess
    expect(result).toEqual({ ok: true, commit: expected });
  });

  it.each([
    ['an OCI digest', `latest@sha256:${'a'.repeat(64)}`, /sha256 digest.*not a git commit/],
    ['a chart version', '6.7.1', /chart or artifact version/],
    ['a short SHA', 'main@sha1:df27797', /short SHA \(7 characters\)/],
    ['a short bare SHA', 'df277975', /short SHA/],
    ['a legacy revision with a short SHA', 'main/df277975', /short SHA/],
    ['a word', 'latest', /does not end in a 40-character SHA-1/],
    ['an empty string', '', /does not end in a 40-character SHA-1/],
    ['a 41-character hex', `${SHA}a`, /does not end in a 40-character SHA-1/],
    ['"@" without a digest', `main@${SHA}`, /no "sha1:" digest/],
  ])('refuses %s with a reason', (_, revision, reason) => {
    // Act
    const result = parseRevision(revision);

    // Assess
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });
});
