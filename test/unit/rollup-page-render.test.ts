import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../functions/details/page-layout.js';
import { absoluteTime } from '../../functions/details/page-time.js';
import {
  LISTED_CLUSTERS,
  type RollupCluster,
  type RollupPageView,
  renderRollupPage,
} from '../../functions/details/render-rollup-page.js';
import { CLUSTER_MESSAGE_LIMIT } from '../../functions/ledger/cluster-verdicts.js';

const NOW = Date.parse('2026-07-14T10:30:00Z');
const EVENT_TIME = Date.parse('2026-07-14T10:21:07Z');

function view(clusters: RollupCluster[], fields: Partial<RollupPageView> = {}): RollupPageView {
  return {
    context: 'flux/production/kustomization/apps',
    repository: 'https://github.com/acme/fleet-infra',
    sha: 'a549a44b3316991928c80b3bee0eb916d16c9dcc',
    environment: 'production',
    state: 'failure',
    description:
      '1/4 clusters reconciled, 1 progressing, 1 not reported, 1 failing (prod-us-1: health check failed)',
    clusters,
    ...fields,
  };
}

const verdict = (state: 'success' | 'failure' | 'pending' | 'error', description: string) => ({
  state,
  description,
  eventTime: EVENT_TIME,
});

/** The names of the listed clusters, in the page's order. */
function listed(page: string): string[] {
  return [...page.matchAll(/<li>.*?<strong>([^<]*)<\/strong>/g)].map((match) => match[1] as string);
}

describe('the roll-up page', () => {
  it('lists failing, then without verdict, progressing, not reported and reconciled clusters, each with its time and message', () => {
    // Act
    const page = renderRollupPage(
      view([
        { name: 'prod-eu-1', verdict: verdict('success', 'Applied revision: main@sha1:a549a44') },
        { name: 'prod-eu-2', verdict: verdict('pending', 'applying') },
        { name: 'prod-ap-1' },
        { name: 'prod-us-1', verdict: verdict('failure', 'health check failed') },
        { name: 'prod-us-2', verdict: verdict('error', 'no verdict within 30m') },
      ]),
      NOW,
    );

    // Assess
    expect(listed(page)).toEqual(['prod-us-1', 'prod-us-2', 'prod-eu-2', 'prod-ap-1', 'prod-eu-1']);
    expect(page).toContain(
      '<dt>Failing</dt><dd>1</dd><dt>No verdict</dt><dd>1</dd><dt>Progressing</dt><dd>1</dd><dt>Not reported</dt><dd>1</dd><dt>Reconciled</dt><dd>1</dd>',
    );
    expect(page).toContain('<h2 id="counts">5 clusters</h2>');
    expect(page).toContain(
      `<time datetime="2026-07-14T10:21:07.000Z">8 minutes ago</time> <span class="muted">(${absoluteTime(EVENT_TIME)})</span><p>health check failed</p>`,
    );
    expect(page).toContain('Not reported</span><strong>prod-ap-1</strong></li>');
    expect(page).toContain('<title>Failure: flux/production/kustomization/apps · flux-commit-status</title>');
    expect(page).toContain('<p>1/4 clusters reconciled, 1 progressing, 1 not reported, 1 failing');
  });

  it('lists a bounded part of a fleet-wide failure, counts every cluster, and says how many it left out', () => {
    // Prepare: a thousand clusters, six hundred of them failing with a message as long as an item keeps.
    const message = 'x'.repeat(CLUSTER_MESSAGE_LIMIT);
    const clusters = Array.from({ length: 1000 }, (_, index) => ({
      name: `cluster-${String(index).padStart(4, '0')}`,
      verdict: verdict(index % 5 < 3 ? 'failure' : 'success', message),
    }));

    // Act
    const page = renderRollupPage(view(clusters), NOW);

    // Assess
    const names = listed(page);
    expect(names).toHaveLength(LISTED_CLUSTERS);
    expect(
      names.every((name) => clusters.find((cluster) => cluster.name === name)?.verdict.state === 'failure'),
    ).toBe(true);
    expect(page).toContain('<dt>Failing</dt><dd>600</dd>');
    expect(page).toContain('<dt>Reconciled</dt><dd>400</dd>');
    expect(page).toContain(`800 more clusters are not listed (the first ${LISTED_CLUSTERS}, failing first)`);
    expect(Buffer.byteLength(page)).toBeLessThan(150_000);
  });

  it('shows every text from an event or the config as text, and control characters as their codes', () => {
    // Act
    const page = renderRollupPage(
      view([{ name: 'prod"><b>', verdict: verdict('failure', '<script>alert(1)</script> \u202Egnp.exe') }], {
        context: 'flux/<i>production</i>',
        description: '"><img src=x onerror=alert(1)>',
      }),
      NOW,
    );

    // Assess
    expect(page).not.toMatch(/<script|<img|<b>|<i>|\u202E/);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt; [U+202E]gnp.exe');
    expect(page).toContain('<strong>prod&quot;&gt;&lt;b&gt;</strong>');
    expect(page).toContain('flux/&lt;i&gt;production&lt;/i&gt;');
  });

  it('is styled only by the sheet the policy names, and has no script, link or image', () => {
    // Act
    const page = renderRollupPage(
      view([{ name: 'prod-eu-1', verdict: verdict('success', 'ok') }], { state: 'success' }),
      NOW,
    );

    // Assess
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
    const digest = createHash('sha256').update(style).digest('base64');
    expect(CONTENT_SECURITY_POLICY).toContain(`style-src 'sha256-${digest}'`);
    expect(page.match(/<style>/g)).toHaveLength(1);
    expect(page).not.toMatch(/<script|<link|<img|\sstyle=|\son\w+=/);
  });
});
