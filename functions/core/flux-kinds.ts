import * as z from 'zod/mini';

/**
 * The kinds Flux reports events for, as an Alert's `eventSources` names them: the enum of
 * `spec.eventSources[].kind` in notification.toolkit.fluxcd.io/v1beta3. Flux compares them exactly,
 * so `helmrelease` would match nothing and every HelmRelease event would be filtered out.
 */
export const FLUX_KINDS = [
  'Bucket',
  'GitRepository',
  'Kustomization',
  'HelmRelease',
  'HelmChart',
  'HelmRepository',
  'ImageRepository',
  'ImagePolicy',
  'ImageUpdateAutomation',
  'OCIRepository',
  'ArtifactGenerator',
  'ExternalArtifact',
] as const;

export type FluxKind = (typeof FLUX_KINDS)[number];

/** Edits between two words: the nearest kind is the one a typo most likely meant. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The kind meant by a word that is not one: the same letters in another case, else the closest. */
export function nearestKind(word: string): FluxKind | undefined {
  const lower = word.toLowerCase();
  const sameLetters = FLUX_KINDS.find((kind) => kind.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: { kind: FluxKind; edits: number } | undefined;
  for (const kind of FLUX_KINDS) {
    const edits = distance(lower, kind.toLowerCase());
    if (edits <= 3 && (best === undefined || edits < best.edits)) best = { kind, edits };
  }
  return best?.kind;
}

function kindProblem(input: unknown): string {
  const near = typeof input === 'string' ? nearestKind(input) : undefined;
  const shown = JSON.stringify(input);
  return near === undefined
    ? `${shown} is not a Flux kind; Flux's kinds (case-sensitive) are ${FLUX_KINDS.join(', ')}`
    : `${shown} is not a Flux kind (kinds are case-sensitive): did you mean "${near}"?`;
}

/** A list of Flux kinds, each checked exactly as Flux compares it, with the nearest kind suggested. */
export const FluxKindList = z
  .array(z.enum(FLUX_KINDS, { error: (issue) => kindProblem(issue.input) }))
  .check(z.minLength(1));
