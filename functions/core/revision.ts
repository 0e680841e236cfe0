/** A git commit named by a Flux revision, with the branch or tag it was fetched from when known. */
export interface CommitRef {
  sha: string;
  ref?: string;
}

export type RevisionResult = { ok: true; commit: CommitRef } | { ok: false; reason: string };

const FULL_SHA1 = /^[0-9a-f]{40}$/i;
const HEX = /^[0-9a-f]+$/i;
const VERSION = /^v?\d+(\.\d+){1,2}([-+].*)?$/;

/**
 * What a branch or tag name may be here: git's own rules (`git check-ref-format`), within the
 * characters that branch and tag names use in practice. A cluster chooses the revision's text, and
 * the ref reaches forge requests and the promotion payload, so quotes, `$(…)`, spaces and control
 * characters are dropped with the ref (the commit is still written).
 */
const REF_CHARACTERS = /^[A-Za-z0-9._+/-]{1,255}$/;

function isSafeRef(name: string): boolean {
  return (
    REF_CHARACTERS.test(name) &&
    !name.includes('..') &&
    !name.endsWith('.lock') &&
    !name.endsWith('.') &&
    name.split('/').every((part) => part !== '' && !part.startsWith('.'))
  );
}

function refName(ref: string): string | undefined {
  const name = ref.replace(/^refs\/heads\//, '');
  return isSafeRef(name) ? name : undefined;
}

function fail(revision: string, why: string): RevisionResult {
  return { ok: false, reason: `revision "${revision}" ${why}` };
}

function fromHash(revision: string, hash: string, ref: string | undefined): RevisionResult {
  if (FULL_SHA1.test(hash)) {
    const name = ref === undefined ? undefined : refName(ref);
    return {
      ok: true,
      commit: name === undefined ? { sha: hash.toLowerCase() } : { sha: hash.toLowerCase(), ref: name },
    };
  }
  if (HEX.test(hash) && hash.length < 40) {
    return fail(revision, `has a short SHA (${hash.length} characters); a full 40-character SHA-1 is needed`);
  }
  return fail(revision, 'does not end in a 40-character SHA-1');
}

/**
 * Finds the commit in every revision form Flux has used: `main@sha1:<sha>`, `sha1:<sha>`, the legacy
 * `main/<sha>` and a bare SHA. OCI digests and chart versions name no commit and are refused.
 */
export function parseRevision(revision: string): RevisionResult {
  const at = revision.lastIndexOf('@');
  const digest = at >= 0 ? revision.slice(at + 1) : revision;
  const ref = at >= 0 ? revision.slice(0, at) : undefined;
  const colon = digest.indexOf(':');
  if (colon >= 0) {
    const algorithm = digest.slice(0, colon).toLowerCase();
    if (algorithm !== 'sha1') {
      return fail(revision, `is a ${algorithm} digest (an OCI artifact or a Helm chart), not a git commit`);
    }
    return fromHash(revision, digest.slice(colon + 1), ref);
  }
  if (at >= 0) return fail(revision, 'has no "sha1:" digest after "@"');
  const slash = revision.lastIndexOf('/');
  if (slash >= 0) return fromHash(revision, revision.slice(slash + 1), revision.slice(0, slash));
  if (VERSION.test(revision)) return fail(revision, 'is a chart or artifact version, not a git commit');
  return fromHash(revision, revision, undefined);
}
