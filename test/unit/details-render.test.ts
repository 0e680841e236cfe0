import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { failingResources } from '../../functions/details/failing-resources.js';
import { escapeHtml } from '../../functions/details/html.js';
import { CONTENT_SECURITY_POLICY } from '../../functions/details/page-layout.js';
import { absoluteTime, relativeTime } from '../../functions/details/page-time.js';
import { renderDetailsPage } from '../../functions/details/render-page.js';
import {
  type DetailsEntry,
  type DetailsRecord,
  MAX_DETAILS_ENTRIES,
  withEntry,
} from '../../functions/ledger/details-store.js';
import { eventOrder } from '../../functions/ledger/status-ledger.js';

const NOW = Date.parse('2026-07-14T10:30:00Z');
const SUBJECT = {
  identity:
    'github||https://github.com/acme/fleet-infra|a549a44b3316991928c80b3bee0eb916d16c9dcc|kustomization/apps/prod-eu-1|',
  forge: 'github',
  repository: 'https://github.com/acme/fleet-infra',
  sha: 'a549a44b3316991928c80b3bee0eb916d16c9dcc',
  context: 'kustomization/apps/prod-eu-1',
};
const HEALTH_CHECK =
  "health check failed after 5m0.031402813s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress', " +
  "Deployment/apps/backend status: 'Failed', ClusterRole/podinfo-reader status: 'NotFound']";

function entry(
  time: string,
  state: Exclude<DetailsEntry['state'], 'error'>,
  fields: Partial<DetailsEntry> = {},
): DetailsEntry {
  const reason = { success: 'ReconciliationSucceeded', failure: 'HealthCheckFailed', pending: 'Progressing' }[
    state
  ];
  return {
    order: eventOrder(Date.parse(time), { state, description: reason, targetUrl: '' }),
    state,
    reason,
    message: state === 'failure' ? HEALTH_CHECK : 'Applied revision: main@sha1:a549a44b',
    revision: 'main@sha1:a549a44b3316991928c80b3bee0eb916d16c9dcc',
    cluster: 'prod-eu-1',
    object: 'Kustomization/flux-system/apps',
    eventTime: time,
    receivedAt: time,
    ...fields,
  };
}

function recordOf(...entries: DetailsEntry[]): DetailsRecord {
  let record: DetailsRecord | undefined;
  for (const one of entries) record = withEntry(record, SUBJECT, one, NOW / 1000 + 3600) ?? record;
  return record as DetailsRecord;
}

/** The text of the first element with this class, tags removed. */
function textOf(page: string, pattern: RegExp): string {
  return (pattern.exec(page)?.[1] ?? '').replace(/<[^>]+>/g, '');
}

describe('the details page', () => {
  it('shows a success: its state as colour and word, cluster, object, revision and times', () => {
    // Act
    const page = renderDetailsPage(recordOf(entry('2026-07-14T10:21:00Z', 'success')), NOW);

    // Assert
    expect(page).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page).toContain('<section class="verdict success"');
    expect(textOf(page, /<h1 id="verdict">(.*?)<\/h1>/)).toBe('✓ Successkustomization/apps/prod-eu-1');
    expect(page).toContain('<span aria-hidden="true">✓ </span>Success');
    expect(page).toContain('<dt>Cluster</dt><dd>prod-eu-1</dd>');
    expect(page).toContain('<code>Kustomization/flux-system/apps</code>');
    expect(page).toContain('<code>main@sha1:a549a44b3316991928c80b3bee0eb916d16c9dcc</code>');
    expect(page).toContain(
      '<time datetime="2026-07-14T10:21:00.000Z">9 minutes ago</time> <span class="muted">(2026-07-14 10:21:00 UTC)</span>',
    );
    expect(page).not.toContain('Failing resources');
    expect(page).toContain('<title>Success: kustomization/apps/prod-eu-1 · flux-commit-status</title>');
    expect(page).toMatch(/<header>.*<\/header>\n<main>[\s\S]*<\/main>\n<footer>/);
  });

  it('lists every failing resource of a multi-resource health-check failure, with the full message', () => {
    // Act
    const page = renderDetailsPage(recordOf(entry('2026-07-14T10:07:00Z', 'failure')), NOW);

    // Assert
    expect(page).toContain('<section class="verdict failure"');
    expect(page).toContain('<h2 id="failing">Failing resources (3)</h2>');
    const items = [...page.matchAll(/<ul class="failing">(.*?)<\/ul>/g)][0]?.[1]?.split('</li>');
    expect(items?.map((item) => item.replace(/<[^>]+>/g, '')).filter(Boolean)).toEqual([
      'Deployment/apps/podinfo status: InProgress',
      'Deployment/apps/backend status: Failed',
      'ClusterRole/podinfo-reader status: NotFound',
    ]);
    expect(page).toContain(`<pre>${HEALTH_CHECK.replaceAll("'", '&#39;')}</pre>`);
    expect(textOf(page, /<section class="verdict failure"[^>]*>.*?<p>(.*?)<\/p>/)).toBe(
      'health check failed',
    );
  });

  it('lists the commits the deployment carried, and says how many a long range left out', () => {
    // Prepare: two carried commits, at least 48 more past the route's rangeLimit; a later verdict
    // (a re-send would not be written at all) keeps them.
    const carried = { base: 'b'.repeat(40), commits: ['c'.repeat(40), 'd'.repeat(40)], left: 48, more: true };
    const record = withEntry(
      { ...recordOf(entry('2026-07-14T10:00:00Z', 'success')), carried },
      SUBJECT,
      entry('2026-07-14T10:05:00Z', 'failure'),
      NOW / 1000 + 3600,
    );
    if (record === undefined) throw new Error('a changed verdict is written');

    // Act
    const page = renderDetailsPage(record, NOW);

    // Assess
    expect(page).toContain('Commits it carried (2)');
    expect(page.indexOf('c'.repeat(40))).toBeLessThan(page.indexOf('d'.repeat(40)));
    expect(page).toContain(`Since <code>${'b'.repeat(40)}</code>`);
    expect(page).toContain('At least 48 older commits were left out');
  });

  it('says older commits may be left out when a paged range stopped early without a count', () => {
    const carried = { base: 'b'.repeat(40), commits: ['c'.repeat(40)], left: 0, more: true };

    const page = renderDetailsPage({ ...recordOf(entry('2026-07-14T10:00:00Z', 'success')), carried }, NOW);

    expect(page).toContain('Older commits may have been left out');
    expect(page).not.toContain('At least 0');
  });

  it('shows a pending status as pending', () => {
    // Act
    const page = renderDetailsPage(recordOf(entry('2026-07-14T10:02:00Z', 'pending')), NOW);

    // Assert
    expect(page).toContain('<section class="verdict pending"');
    expect(textOf(page, /<h1 id="verdict">(.*?)<\/h1>/)).toBe('… Pendingkustomization/apps/prod-eu-1');
    expect(textOf(page, /<section class="verdict pending"[^>]*>.*?<p>(.*?)<\/p>/)).toBe('progressing');
  });

  it('takes the newest event as the verdict, whatever the order of arrival, and keeps a bounded history', () => {
    // Prepare: pending at 10:02, failure at 10:07, success at 10:21, then twenty older retries, late.
    const late = Array.from({ length: 20 }, (_, minute) =>
      entry(`2026-07-14T09:${String(10 + minute).padStart(2, '0')}:00Z`, minute % 2 ? 'failure' : 'pending'),
    );
    const record = recordOf(
      entry('2026-07-14T10:21:00Z', 'success'),
      entry('2026-07-14T10:02:00Z', 'pending'),
      ...late,
      entry('2026-07-14T10:07:00Z', 'failure'),
    );

    // Act
    const page = renderDetailsPage(record, NOW);

    // Assert
    expect(page).toContain('<section class="verdict success"');
    const times = [...page.matchAll(/<li><span class="badge (\w+)">.*?<time datetime="([^"]+)"/g)].map(
      (match) => `${match[1]} ${match[2]?.slice(11, 16)}`,
    );
    expect(times).toHaveLength(MAX_DETAILS_ENTRIES);
    expect(times.slice(0, 4)).toEqual(['success 10:21', 'failure 10:07', 'pending 10:02', 'failure 09:29']);
    expect(times.at(-1)).toBe('failure 09:21');
  });

  it('escapes hostile messages: markup, attribute breaks and bidirectional overrides', () => {
    // Prepare
    const hostile = entry('2026-07-14T10:07:00Z', 'failure', {
      message:
        '<script>alert(1)</script>" onmouseover="alert(2)\' x=\'<img src=x onerror=alert(3)> \u202Etxt.exe\u2066',
      cluster: '"><script>alert(4)</script>',
      object: "Kustomization/a/b' autofocus onfocus='alert(5)",
      revision: '\u200Fmain@sha1:a549a44b',
    });

    // Act
    const page = renderDetailsPage(recordOf(hostile), NOW);

    // Assert
    // No element from the event, and no quote that could end an attribute: the rest is inert text.
    expect(page).not.toMatch(/<script|<img|onmouseover="|onfocus='/);
    expect(page).toContain('&lt;img src=x onerror=alert(3)&gt;');
    expect(page).toContain('onfocus=&#39;alert(5)');
    expect(page).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200E\u200F]/u);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;alert(2)&#39;');
    expect(page).toContain('[U+202E]txt.exe[U+2066]');
    expect(page).toContain('<dd>&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;</dd>');
    expect(page).toContain('<code>[U+200F]main@sha1:a549a44b</code>');
  });

  it('allows only its own style sheet: no script source, nothing loaded', () => {
    // Act
    const style = /<style>([\s\S]*?)<\/style>/.exec(
      renderDetailsPage(recordOf(entry('2026-07-14T10:07:00Z', 'failure')), NOW),
    )?.[1];

    // Assert
    const hash = createHash('sha256')
      .update(style ?? '')
      .digest('base64');
    expect(CONTENT_SECURITY_POLICY).toBe(
      `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
  });
});

describe('the page’s parts', () => {
  it('finds the objects a Flux message names with a status, each once', () => {
    expect(
      failingResources(
        "failed early due to stalled resources: [Deployment/apps/a status: 'Failed', Deployment/apps/a status: 'Failed']\nHelmRelease/b status: 'Unknown'",
      ),
    ).toEqual([
      { object: 'Deployment/apps/a', status: 'Failed' },
      { object: 'HelmRelease/b', status: 'Unknown' },
    ]);
    expect(failingResources('kustomization path not found: stat /tmp/apps: no such file')).toEqual([]);
  });

  it('says times relative to now and in UTC', () => {
    expect(relativeTime(NOW - 30_000, NOW)).toBe('just now');
    expect(relativeTime(NOW - 60_000, NOW)).toBe('1 minute ago');
    expect(relativeTime(NOW - 5 * 3_600_000, NOW)).toBe('5 hours ago');
    expect(relativeTime(NOW - 2 * 86_400_000, NOW)).toBe('2 days ago');
    expect(relativeTime(NOW + 120_000, NOW)).toBe('in 2 minutes');
    expect(absoluteTime(NOW)).toBe('2026-07-14 10:30:00 UTC');
  });

  it('escapes the five HTML characters and keeps newlines and tabs', () => {
    expect(escapeHtml(`a&b<c>d"e'f\n\tg\u0000`)).toBe('a&amp;b&lt;c&gt;d&quot;e&#39;f\n\tg[U+0000]');
  });
});
