import { describe, expect, it } from 'vitest';
import {
  changeRequestOf,
  commentMarker,
  renderComment,
} from '../../functions/core/change-request-comment.js';
import { parseFluxEvent } from '../../functions/core/flux-event.js';
import { FIXTURES, fixture } from '../harness/flux-fixtures.js';

const event = parseFluxEvent(fixture(FIXTURES.healthCheckFailed).toString());
const SHA = 'a549a44b3316991928c80b3bee0eb916d16c9dcc';

describe('the change request comment', () => {
  it('is Flux’s Markdown (notification-controller internal/notifier/markdown.go) with the verdict', () => {
    const marker = commentMarker('0c9c2e41-d2f9-4f9b-9c41-bebc1984d67a', event.involvedObject);

    const body = renderComment(
      marker,
      event,
      { revision: `main@sha1:${SHA}`, env: 'production', change_request: '42' },
      {
        sha: SHA,
        state: 'failure',
        context: 'x',
        description: 'health check failed',
        targetUrl: 'https://status.example.com/details/t',
      },
      'prod-eu-1',
    );

    expect(body).toBe(
      '<!-- flux-pr-comment-key:0c9c2e41-d2f9-4f9b-9c41-bebc1984d67a/Kustomization/flux-system/apps -->\n\n' +
        '## Flux Status\n\n' +
        '⚠️ Kustomization/flux-system/apps: **failed** on `prod-eu-1` at `a549a44`\n\n' +
        `${event.message}\n\n` +
        '[Details](https://status.example.com/details/t)\n\n' +
        'Metadata:\n' +
        '* `env`: production\n' +
        `* \`revision\`: main@sha1:${SHA}\n`,
    );
  });

  it('links the preview environment beside the details', () => {
    const body = renderComment(
      '<!-- k -->',
      event,
      { 'preview-url': 'https://pr-42.preview.example.com/' },
      {
        sha: SHA,
        state: 'success',
        context: 'x',
        description: '',
        targetUrl: 'https://status.example.com/details/t',
      },
      'c',
    );

    expect(body).toContain(
      '[Details](https://status.example.com/details/t) · [Preview](https://pr-42.preview.example.com/)\n\n',
    );
  });

  it('stays within GitHub’s 65,536 characters whatever the event carries', () => {
    const long = { ...event, message: 'm'.repeat(70_000) };
    const metadata = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, 'v'.repeat(16_000)]));

    const body = renderComment(
      '<!-- k -->',
      long,
      metadata,
      { sha: SHA, state: 'success', context: 'x', description: '' },
      'c',
    );

    expect(Array.from(body).length).toBeLessThanOrEqual(65_000);
    expect(body.startsWith('<!-- k -->\n\n## Flux Status')).toBe(true);
  });

  it.each([
    ['42', 42],
    ['0', undefined],
    ['-3', undefined],
    ['12a', undefined],
    ['99999999999', undefined],
  ])('reads change_request %j as %j', (value, number) => {
    expect(changeRequestOf({ change_request: value })).toBe(number);
  });
});
