import type { CommitStatus, StatusState } from './commit-status.js';
import { BadRequestError } from './errors.js';
import { type FluxEvent, normaliseMetadata } from './flux-event.js';
import { parseRevision } from './revision.js';
import type { RouteRules } from './route-rules.js';
import {
  hasUnprintable,
  renderTemplate,
  type TemplateValues,
  templateFields,
  templateValueProblem,
} from './template.js';
import { firstLine, reasonToWords } from './text.js';

export type StatusDecision =
  | { kind: 'write'; status: CommitStatus }
  | { kind: 'skip'; code: SkipCode; reason: string };

/**
 * A route's own status name for an event (its `commitStatusExpr`, functions/expressions/), used as
 * it comes: Flux lower-cases only its default name.
 */
export type StatusName = (event: FluxEvent, metadata: Readonly<Record<string, string>>) => string;

export type SkipCode = 'filtered' | 'not-eligible' | 'progressing' | 'no-commit';

function skip(code: SkipCode, reason: string): StatusDecision {
  return { kind: 'skip', code, reason };
}

function filteredOut(event: FluxEvent, route: RouteRules): string | undefined {
  const filter = route.events;
  if (filter === undefined) return undefined;
  const object = event.involvedObject;
  if (filter.kinds && !(filter.kinds as readonly string[]).includes(object.kind))
    return `kind ${object.kind} is not in this route's events.kinds`;
  if (filter.names && !filter.names.includes(object.name))
    return `name ${object.name} is not in this route's events.names`;
  if (filter.namespaces && !filter.namespaces.includes(object.namespace ?? '')) {
    return `namespace ${object.namespace ?? '(none)'} is not in this route's events.namespaces`;
  }
  if (filter.severities && !filter.severities.includes(event.severity as 'info' | 'error')) {
    return `severity ${event.severity} is not in this route's events.severities`;
  }
  return undefined;
}

function stateOf(event: FluxEvent, progressing: boolean): StatusState {
  if (progressing) return 'pending';
  return event.severity === 'error' ? 'failure' : 'success';
}

/** Flux's description: the reason in words, and for a failure the first line of the message. */
export function describe(event: FluxEvent, state: StatusState): string {
  const words = reasonToWords(event.reason);
  if (state !== 'failure') return words;
  const detail = firstLine(event.message);
  if (detail === '') return words;
  if (words === '') return detail;
  // Controllers often begin the message with the reason itself ("health check failed after 5m0s…").
  const repeats = detail.toLowerCase().startsWith(words) && !/[a-z0-9]/i.test(detail.charAt(words.length));
  return repeats ? detail : `${words}: ${detail}`;
}

/**
 * Metadata values come from the cluster, unchecked by Flux: those that a route's templates use are
 * refused when unprintable or long, so that an event cannot put a newline or a right-to-left override
 * into a status name or a link. Kinds, names and namespaces were checked against Kubernetes' rules.
 */
function checkMetadataInTemplates(
  route: RouteRules,
  metadata: Record<string, string>,
  ownName: boolean,
): void {
  const templates = [
    ...(ownName ? [] : [route.context]),
    ...(route.targetUrl === undefined ? [] : [route.targetUrl]),
  ];
  for (const field of new Set(templates.flatMap(templateFields))) {
    if (!Object.hasOwn(metadata, field) || TEMPLATE_OWN_FIELDS.has(field)) continue;
    const problem = templateValueProblem(metadata[field] as string);
    if (problem !== undefined) {
      throw new BadRequestError(`metadata "${field}", used in this route's templates, ${problem}`);
    }
  }
}

/**
 * A preview environment's link: flux-operator's ResourceSets annotate the objects of a pull request's
 * preview with `event.toolkit.fluxcd.io/preview-url`, which reaches here as `preview-url`. Flux uses
 * it nowhere; here it is the status's link when no `targetUrl` template sets one. Only an absolute
 * http(s) URL is taken: anything else would be a broken or a hostile link, and is left out.
 */
export function previewUrlOf(metadata: Readonly<Record<string, string>>): string | undefined {
  const value = metadata['preview-url'];
  if (value === undefined || value.length > 2048 || hasUnprintable(value) || /\s/.test(value))
    return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Fields that the relay sets itself; a metadata key of the same name never reaches a template. */
const TEMPLATE_OWN_FIELDS = new Set(['kind', 'name', 'namespace', 'cluster', 'route', 'sha']);

export function templateValues(
  event: FluxEvent,
  route: RouteRules,
  metadata: Record<string, string>,
): TemplateValues {
  const object = event.involvedObject;
  return {
    ...metadata,
    kind: object.kind,
    name: object.name,
    namespace: object.namespace ?? '',
    cluster: route.cluster ?? route.id,
    route: route.id,
  };
}

/**
 * Decides, as current Flux does, whether an event becomes a commit status and which one. Events that
 * carry no status are skipped with a reason, never failed: Flux would only retry them in vain.
 */
export function decideStatus(event: FluxEvent, route: RouteRules, statusName?: StatusName): StatusDecision {
  const filtered = filteredOut(event, route);
  if (filtered !== undefined) return skip('filtered', filtered);
  if (event.severity === 'trace') return skip('not-eligible', 'trace events carry no commit status');

  const metadata = normaliseMetadata(event.metadata);
  const progressing = event.reason === 'Progressing';
  if (progressing && !route.pending) {
    return skip('progressing', 'Progressing events are not written on this route (pending: false)');
  }
  const eligible =
    progressing ||
    metadata.commit !== undefined ||
    metadata.commit_status === 'update' ||
    event.severity === 'error';
  if (!eligible) {
    return skip(
      'not-eligible',
      'an info event without "commit" or commit_status=update carries no commit status',
    );
  }

  const revision = metadata.commit ?? metadata.originRevision ?? metadata.revision;
  if (revision === undefined) {
    return skip('no-commit', 'the event has no commit, originRevision or revision metadata');
  }
  const parsed = parseRevision(revision);
  if (!parsed.ok) return skip('no-commit', parsed.reason);

  checkMetadataInTemplates(route, metadata, statusName !== undefined);
  const state = stateOf(event, progressing);
  const values = { ...templateValues(event, route, metadata), sha: parsed.commit.sha };
  const status: CommitStatus = {
    sha: parsed.commit.sha,
    state,
    context:
      statusName === undefined
        ? renderTemplate(route.context, values).toLowerCase()
        : statusName(event, metadata),
    description: describe(event, state),
  };
  if (parsed.commit.ref !== undefined) status.ref = parsed.commit.ref;
  if (route.targetUrl !== undefined) {
    status.targetUrl = renderTemplate(route.targetUrl, values, encodeURIComponent);
  } else {
    const preview = previewUrlOf(metadata);
    if (preview !== undefined) status.targetUrl = preview;
  }
  if (metadata.summary !== undefined) status.summary = metadata.summary;
  return { kind: 'write', status };
}
