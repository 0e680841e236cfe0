import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventOf, FIXTURES, fixture, MemorySecrets, WEBHOOK_KEY } from '../harness/flux-fixtures.js';
import { CONTEXT, SHA, useForge } from '../harness/forge-behaviour.js';
import { profile as bitbucketServer } from '../harness/forges/bitbucketserver.js';
import { apiEvent } from '../harness/relay-harness.js';

const REPO = bitbucketServer.repository;

/** Bitbucket Server and Data Center through the Lambda handler, on a fake judged by their description. */
describe('Bitbucket Server through the relay', () => {
  const forge = useForge(bitbucketServer);

  it('keys the status by the SHA-1 of the context and links the repository’s page by default', async () => {
    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(200);
    expect(forge.fake.statusesOf(REPO, SHA)).toMatchObject([
      {
        key: createHash('sha1').update(CONTEXT).digest('hex'),
        url: 'https://bitbucket.example.com:7990/bitbucket/projects/PLAT/repos/fleet-infra',
      },
    ]);
    expect(forge.fake.requests[0]?.query.get('key')).toBe(createHash('sha1').update(CONTEXT).digest('hex'));
  });

  // Flux's bitbucketserver.go adds both headers to every request it makes, the GET and the POST.
  it('sends X-Atlassian-Token: no-check and X-Requested-With: XMLHttpRequest on every request', async () => {
    const response = await forge.setup().handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(response.statusCode).toBe(200);
    expect(forge.fake.requests.map((request) => request.method)).toEqual(['GET', 'POST']);
    for (const request of forge.fake.requests) {
      expect(request.headers).toMatchObject({
        'x-atlassian-token': 'no-check',
        'x-requested-with': 'XMLHttpRequest',
      });
    }
  });

  it('keeps the description to 255 characters and a URL over 450 off the status', async () => {
    const event = eventOf(FIXTURES.reconciled);
    event.severity = 'error';
    event.message = 'x'.repeat(600);
    const route = forge.route({ targetUrl: `https://grafana.example.com/d/flux?q=${'y'.repeat(500)}` });

    const response = await forge
      .setup({ routes: [route] })
      .handler(apiEvent({ body: JSON.stringify(event) }));

    expect(response.statusCode).toBe(200);
    const [status] = forge.fake.statusesOf(REPO, SHA);
    expect(Array.from(status?.description ?? '')).toHaveLength(255);
    expect(status?.url).toBe('https://bitbucket.example.com:7990/bitbucket/projects/PLAT/repos/fleet-infra');
  });

  it('sends username and password as Basic', async () => {
    const secrets = new MemorySecrets({
      'test/webhook': { token: WEBHOOK_KEY },
      'test/forge': { username: 'flux-bot', password: 'passwordThatMustNeverLeak' },
    });

    await forge.setup({ secrets }).handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

    expect(forge.fake.writes[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('flux-bot:passwordThatMustNeverLeak').toString('base64')}`,
    );
  });
});
