import { describe, expect, it } from 'vitest';
import { normaliseMetadata } from '../../functions/core/flux-event.js';
import { previewOf } from '../../functions/core/preview.js';
import { RecomputeRequestSchema } from '../../functions/fleet/recompute-request.js';
import { QueuedDeliverySchema } from '../../functions/queue/delivery-queue.js';

describe('a preview environment from the event metadata', () => {
  it('takes the preview URL and the change request, as Flux forwards the annotations', () => {
    const metadata = normaliseMetadata({
      revision: 'main@sha1:abc',
      'event.toolkit.fluxcd.io/preview-url': 'https://pr-12.preview.example.com',
      'event.toolkit.fluxcd.io/change_request': '12',
    });

    expect(previewOf(metadata)).toEqual({ url: 'https://pr-12.preview.example.com', changeRequest: 12 });
  });

  it.each([
    [{ 'preview-url': 'javascript:alert(1)', change_request: 'twelve' }, undefined],
    [{ 'preview-url': 'ftp://preview.example.com' }, undefined],
    [{ change_request: '7' }, { changeRequest: 7 }],
    [{ 'preview-url': 'http://pr-7.preview.example.com' }, { url: 'http://pr-7.preview.example.com' }],
  ])('reads %j as %j', (metadata, expected) => {
    expect(previewOf(metadata)).toEqual(expected);
  });

  it('travels with a queued delivery and a recompute request', () => {
    const preview = { url: 'https://pr-12.preview.example.com', changeRequest: 12 };
    const queued = QueuedDeliverySchema.parse({
      routeId: 'prod-eu-1',
      eventTime: 1,
      status: { sha: 'a'.repeat(40), context: 'c', state: 'success', description: 'd' },
      preview,
    });
    const request = RecomputeRequestSchema.parse({
      routeId: 'prod-eu-1',
      environment: 'production',
      object: 'Kustomization/flux-system/apps',
      sha: 'a'.repeat(40),
      context: 'flux/production/kustomization/apps',
      rollup: 'k',
      preview,
    });

    expect(queued.preview).toEqual(preview);
    expect(request.preview).toEqual(preview);
  });
});
