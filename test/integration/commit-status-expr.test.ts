import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/core/errors.js';
import { checkConfigExpressions } from '../../functions/expressions/route-status-names.js';
import { FIXTURES, fixture, testRoute } from '../harness/flux-fixtures.js';
import { SHA, useForge } from '../harness/forge-behaviour.js';
import { profile as bitbucket } from '../harness/forges/bitbucket.js';
import { profile as bitbucketServer } from '../harness/forges/bitbucketserver.js';
import { profile as github } from '../harness/forges/github.js';
import { apiEvent } from '../harness/relay-harness.js';

const UID = '0c9c2e41-d2f9-4f9b-9c41-bebc1984d67a';
/** Flux's documentation example; the fixture is Kustomization flux-system/apps. */
const EXPR = "'flux/' + event.involvedObject.name + '/' + provider.metadata.uid.split('-').first().value()";
const NAME = 'flux/apps/0c9c2e41';

function withExpr<T extends { route(overrides?: object): ReturnType<typeof testRoute> }>(
  forge: T,
  expr = EXPR,
) {
  const route = forge.route();
  return forge.route({
    commitStatusExpr: expr,
    provider: { ...route.provider, metadata: { uid: UID } },
  });
}

describe('commitStatusExpr through the relay', () => {
  describe('GitHub', () => {
    const forge = useForge(github);

    it('writes the status under the name the expression gives, as Flux does', async () => {
      const { handler } = forge.setup({ routes: [withExpr(forge)] });

      const response = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ context: NAME, state: 'success' });
      expect(forge.fake.statusesOf(github.repository, SHA)).toMatchObject([{ context: NAME }]);
    });

    it('refuses an event the expression fails on with a 422 saying why, and writes nothing', async () => {
      const { handler, records } = forge.setup({ routes: [withExpr(forge, "event.metadata.region + '/x'")] });

      const response = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

      expect(response.statusCode).toBe(422);
      expect(JSON.parse(response.body)).toMatchObject({
        error: 'status-expression-failed',
        reason: expect.stringMatching(/commitStatusExpr failed on the event: .*region/),
      });
      expect(records[0]).toMatchObject({ outcome: 'rejected', statusCode: 422 });
      expect(forge.fake.requests).toHaveLength(0);
    });
  });

  describe.each([
    ['Bitbucket Cloud', bitbucket],
    ['Bitbucket Server', bitbucketServer],
  ] as unknown as Array<[string, typeof bitbucket]>)('%s', (_, profile) => {
    const forge = useForge(profile);

    it('shows the result as the visible name and keys the status by its SHA-1', async () => {
      const { handler } = forge.setup({ routes: [withExpr(forge)] });

      const response = await handler(apiEvent({ body: fixture(FIXTURES.reconciled) }));

      expect(response.statusCode).toBe(200);
      expect(forge.fake.statusesOf(profile.repository, SHA)).toMatchObject([
        { key: createHash('sha1').update(NAME).digest('hex'), name: NAME },
      ]);
    });
  });
});

describe('commitStatusExpr at load', () => {
  it('refuses a config whose expression does not compile, naming the route, the field and the position', async () => {
    const routes = [
      testRoute('http://127.0.0.1:1', { commitStatusExpr: EXPR }),
      testRoute('http://127.0.0.1:1', {
        id: 'broken',
        commitStatusExpr: "event.involvedObject.name + '/' +",
      }),
      testRoute('http://127.0.0.1:1', {
        id: 'unknown',
        commitStatusExpr: "notification.metadata.name + '/x'",
      }),
    ];

    const loading = checkConfigExpressions({ routes, environments: {} }, 'config/prod.json');

    await expect(loading).rejects.toThrow(ConfigError);
    await expect(loading).rejects.toThrow(
      /^config\/prod\.json: routes\[1\]\.commitStatusExpr \(route "broken"\): 1:\d+: syntax error: .*; routes\[2\]\.commitStatusExpr \(route "unknown"\): 1:1: undeclared reference to 'notification' \(declared: event, provider, alert\)$/,
    );
  });

  it('refuses a config whose expression has a result type known not to be a string, with its path', async () => {
    const routes = [
      testRoute('http://127.0.0.1:1', { id: 'bool', commitStatusExpr: "event.reason == 'Progressing'" }),
      testRoute('http://127.0.0.1:1', {
        id: 'optional',
        commitStatusExpr: "event.message.split(' ').first()",
      }),
      testRoute('http://127.0.0.1:1', { id: 'overload', commitStatusExpr: "'flux/' + size(event.message)" }),
    ];

    const loading = checkConfigExpressions({ routes, environments: {} }, 'config/prod.json');

    await expect(loading).rejects.toThrow(
      /^config\/prod\.json: routes\[0\]\.commitStatusExpr \(route "bool"\): 1:\d+: the result's type is bool, not string; routes\[1\]\.commitStatusExpr \(route "optional"\): 1:\d+: the result's type is optional, not string; routes\[2\]\.commitStatusExpr \(route "overload"\): 1:\d+: found no matching overload for '_\+_' applied to \(string, int\)$/,
    );
  });

  it('accepts a config whose expressions compile', async () => {
    await expect(
      checkConfigExpressions(
        { routes: [testRoute('http://127.0.0.1:1', { commitStatusExpr: EXPR })], environments: {} },
        'config/prod.json',
      ),
    ).resolves.toBeUndefined();
  });
});
