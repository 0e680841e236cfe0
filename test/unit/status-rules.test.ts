import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../functions/core/errors.js';
import { type FluxEvent, normaliseMetadata, parseFluxEvent } from '../../functions/core/flux-event.js';
import { decideStatus } from '../../functions/core/status-rules.js';
import { eventOf, FIXTURES, fixture, testRoute } from '../harness/flux-fixtures.js';

const route = testRoute('http://127.0.0.1:1');
const SHA = 'df277975d2783b0e7fd4d0487d990bd60442923c';

function event(name: string, change: (event: Record<string, any>) => void = () => {}): FluxEvent {
  const value = eventOf(name);
  change(value);
  return parseFluxEvent(JSON.stringify(value));
}

describe('decideStatus', () => {
  it('writes success for a reconciled Kustomization (commit_status=update)', () => {
    // Act
    const decision = decideStatus(parseFluxEvent(fixture(FIXTURES.reconciled).toString()), route);

    // Assess
    expect(decision).toEqual({
      kind: 'write',
      status: {
        sha: SHA,
        ref: 'main',
        state: 'success',
        context: 'kustomization/apps/prod-eu-1',
        description: 'reconciliation succeeded',
      },
    });
  });

  it('writes failure with the first line of the message for an error', () => {
    const decision = decideStatus(event(FIXTURES.healthCheckFailed), route);

    expect(decision.kind === 'write' && decision.status).toMatchObject({
      state: 'failure',
      description:
        "health check failed after 5m0.031402813s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress']",
    });
  });

  it.each([
    ['HealthCheckFailed', 'Health check failed after 2m0s', 'Health check failed after 2m0s'],
    [
      'HealthCheckFailed',
      'Deployment/apps/podinfo not ready',
      'health check failed: Deployment/apps/podinfo not ready',
    ],
    // The reason's words must end at a word's end to count as said.
    ['BuildFailed', 'build failedover to the backup', 'build failed: build failedover to the backup'],
  ])('says a %s reason once when the message %j begins with it', (reason, message, description) => {
    const decision = decideStatus(
      event(FIXTURES.healthCheckFailed, (e) => {
        e.reason = reason;
        e.message = message;
      }),
      route,
    );

    expect(decision.kind === 'write' && decision.status.description).toBe(description);
  });

  it('writes pending for Progressing by default, with no message in the description', () => {
    const decision = decideStatus(event(FIXTURES.progressing), route);

    expect(decision.kind === 'write' && decision.status).toMatchObject({
      state: 'pending',
      description: 'progressing',
    });
  });

  it('skips Progressing when the route says pending: false', () => {
    const decision = decideStatus(event(FIXTURES.progressing), testRoute('http://x', { pending: false }));

    expect(decision).toMatchObject({ kind: 'skip', code: 'progressing' });
  });

  it('reads the group-prefixed shape of Flux docs the same as the forwarded shape', () => {
    const prefixed = decideStatus(event(FIXTURES.prefixed), route);
    const forwarded = decideStatus(event(FIXTURES.reconciled), route);

    expect(prefixed).toEqual(forwarded);
  });

  it('skips an info event that carries no commit status', () => {
    const decision = decideStatus(
      event(FIXTURES.reconciled, (e) => {
        delete e.metadata.commit_status;
      }),
      route,
    );

    expect(decision).toMatchObject({ kind: 'skip', code: 'not-eligible' });
  });

  it('writes an info event with "commit" metadata, and prefers it over the revision', () => {
    const other = 'a549a44b3316991928c80b3bee0eb916d16c9dcc';
    const decision = decideStatus(
      event(FIXTURES.reconciled, (e) => {
        delete e.metadata.commit_status;
        e.metadata.commit = other;
      }),
      route,
    );

    expect(decision.kind === 'write' && decision.status.sha).toBe(other);
  });

  it('prefers originRevision over revision', () => {
    const other = 'a549a44b3316991928c80b3bee0eb916d16c9dcc';
    const decision = decideStatus(
      event(FIXTURES.reconciled, (e) => {
        e.metadata.originRevision = `main@sha1:${other}`;
        e.metadata.revision = `latest@sha256:${'b'.repeat(64)}`;
      }),
      route,
    );

    expect(decision.kind === 'write' && decision.status.sha).toBe(other);
  });

  it('skips an error without any revision, saying so', () => {
    const decision = decideStatus(event(FIXTURES.errorWithoutRevision), route);

    expect(decision).toMatchObject({
      kind: 'skip',
      code: 'no-commit',
      reason: expect.stringMatching(/no commit/),
    });
  });

  it.each([
    ['an OCI digest', `latest@sha256:${'c'.repeat(64)}`],
    ['a chart version', '6.7.1'],
    ['a short SHA', 'main@sha1:df27797'],
  ])('skips a revision that is %s with the reason', (_, revision) => {
    const decision = decideStatus(
      event(FIXTURES.reconciled, (e) => {
        e.metadata.revision = revision;
      }),
      route,
    );

    expect(decision).toMatchObject({
      kind: 'skip',
      code: 'no-commit',
      reason: expect.stringContaining(revision),
    });
  });

  it('skips trace events', () => {
    const decision = decideStatus(
      event(FIXTURES.reconciled, (e) => {
        e.severity = 'trace';
      }),
      route,
    );
    expect(decision).toMatchObject({ kind: 'skip', code: 'not-eligible' });
  });

  it('renders context and target URL templates with metadata, URL-escaping the URL values', () => {
    const custom = testRoute('http://x', {
      context: 'flux/{{env}}/{{namespace}}/{{name}}',
      targetUrl: 'https://grafana.example.com/d/flux?var-cluster={{cluster}}&var-ns={{namespace}}&q={{env}}',
    });
    const decision = decideStatus(
      event(FIXTURES.reconciled, (e) => {
        e.metadata.env = 'prod & eu';
      }),
      custom,
    );

    expect(decision.kind === 'write' && decision.status).toMatchObject({
      context: 'flux/prod & eu/flux-system/apps',
      targetUrl:
        'https://grafana.example.com/d/flux?var-cluster=prod-eu-1&var-ns=flux-system&q=prod%20%26%20eu',
    });
  });

  it('uses the route id as cluster when the route names none', () => {
    const decision = decideStatus(event(FIXTURES.reconciled), testRoute('http://x', { cluster: undefined }));

    expect(decision.kind === 'write' && decision.status.context).toBe('kustomization/apps/test');
  });

  it.each([
    [{ kinds: ['HelmRelease' as const] }, /kind Kustomization/],
    [{ names: ['infra'] }, /name apps/],
    [{ namespaces: ['apps'] }, /namespace flux-system/],
    [{ severities: ['error' as const] }, /severity info/],
  ])('skips events outside the route filter %j', (events, reason) => {
    const decision = decideStatus(event(FIXTURES.reconciled), testRoute('http://x', { events }));

    expect(decision).toMatchObject({ kind: 'skip', code: 'filtered', reason: expect.stringMatching(reason) });
  });

  it('passes events the filter names', () => {
    const filter = {
      kinds: ['Kustomization' as const],
      names: ['apps'],
      namespaces: ['flux-system'],
      severities: ['info' as const],
    };
    const decision = decideStatus(event(FIXTURES.reconciled), testRoute('http://x', { events: filter }));

    expect(decision.kind).toBe('write');
  });
});

describe('normaliseMetadata', () => {
  it('strips group prefixes, an unprefixed key winning', () => {
    expect(
      normaliseMetadata({
        'kustomize.toolkit.fluxcd.io/revision': 'a',
        revision: 'b',
        'event.toolkit.fluxcd.io/env': 'prod',
        'example.com/other': 'kept',
      }),
    ).toEqual({ revision: 'b', env: 'prod', 'example.com/other': 'kept' });
  });
});

describe('parseFluxEvent', () => {
  it.each([
    ['an empty body', '', /empty/],
    ['non-JSON', 'not json', /not valid JSON/],
    ['a JSON array', '[]', /not a Flux event/],
    [
      'an event without involvedObject',
      JSON.stringify({ ...eventOf(FIXTURES.reconciled), involvedObject: undefined }),
      /involvedObject/,
    ],
    [
      'an unknown severity',
      JSON.stringify({ ...eventOf(FIXTURES.reconciled), severity: 'warning' }),
      /severity/,
    ],
    [
      'a bad timestamp',
      JSON.stringify({ ...eventOf(FIXTURES.reconciled), timestamp: 'yesterday' }),
      /timestamp/,
    ],
    [
      'metadata that is not strings',
      JSON.stringify({ ...eventOf(FIXTURES.reconciled), metadata: { a: 1 } }),
      /metadata\.a/,
    ],
  ])('refuses %s, naming the problem', (_, body, message) => {
    expect(() => parseFluxEvent(body)).toThrow(message);
  });
});

describe('metadata in templates', () => {
  const templated = testRoute('http://127.0.0.1:1', {
    context: '{{kind}}/{{name}}/{{env}}',
    targetUrl: 'https://grafana.example.com/d/{{dashboard}}',
  });
  const withMetadata = (metadata: Record<string, string>) =>
    event(FIXTURES.reconciled, (e) => Object.assign(e.metadata, metadata));

  it.each([
    ['a newline and a right-to-left override', 'x\n\u202eCI/Build'],
    ['a left-to-right embedding', '\u202aprod'],
    ['a directional isolate', 'prod\u2066'],
    ['a right-to-left mark', 'prod\u200f'],
    ['a tab', 'prod\tx'],
    ['a line separator', 'prod\u2028x'],
  ])('refuses %s in a value the context uses, naming the field', (_, env) => {
    expect(() => decideStatus(withMetadata({ env }), templated)).toThrow(BadRequestError);
    expect(() => decideStatus(withMetadata({ env }), templated)).toThrow(/metadata "env"/);
  });

  it('refuses a value over 100 characters in the target URL, naming the field', () => {
    const decide = () => decideStatus(withMetadata({ env: 'prod', dashboard: 'd'.repeat(101) }), templated);
    expect(decide).toThrow(/metadata "dashboard", .* 101 characters .* at most 100/);
  });

  it('takes printable values up to 100 characters, accents and emoji included', () => {
    const decision = decideStatus(withMetadata({ env: 'prød-ü-😀', dashboard: 'd'.repeat(100) }), templated);
    expect(decision).toMatchObject({ kind: 'write', status: { context: 'kustomization/apps/prød-ü-😀' } });
  });

  it('ignores unprintable metadata that no template uses', () => {
    const decision = decideStatus(withMetadata({ env: 'prod', note: 'a\u202eb\n' }), templated);
    expect(decision.kind).toBe('write');
  });
});

describe('preview environments (flux-operator ResourceSets annotate event.toolkit.fluxcd.io/preview-url)', () => {
  const preview = (url: string, route = testRoute('http://127.0.0.1:1')) => {
    const decision = decideStatus(
      event(FIXTURES.reconciled, (e) =>
        Object.assign(e.metadata, { 'event.toolkit.fluxcd.io/preview-url': url }),
      ),
      route,
    );
    return decision.kind === 'write' ? decision.status.targetUrl : 'skipped';
  };

  it('links the status to the preview when no targetUrl template sets a link', () => {
    expect(preview('https://pr-42.preview.example.com/')).toBe('https://pr-42.preview.example.com/');
  });

  it('keeps the route’s targetUrl template first', () => {
    const templated = testRoute('http://127.0.0.1:1', {
      targetUrl: 'https://grafana.example.com/d/{{name}}',
    });

    expect(preview('https://pr-42.preview.example.com/', templated)).toBe(
      'https://grafana.example.com/d/apps',
    );
  });

  it.each([
    ['a script URL', 'javascript:alert(1)'],
    ['a relative path', '/preview/42'],
    ['a control character', 'https://pr-42.example.com/\u202e'],
    ['a space', 'https://pr-42.example.com/a b'],
    ['an over-long URL', `https://example.com/${'a'.repeat(2048)}`],
  ])('leaves out %s', (_, url) => {
    expect(preview(url)).toBeUndefined();
  });
});
