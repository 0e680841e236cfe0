import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentConfigSchema } from '../../functions/config/environment-config.js';
import type { FleetEnvironment } from '../../functions/config/fleet-environments.js';
import { ConfigError } from '../../functions/core/errors.js';
import { checkConfigExpressions, expressionIssues } from '../../functions/expressions/route-status-names.js';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { FakeGitHub } from '../fakes/fake-github.js';
import { fleetRoutes, testRoute, verdictEvent } from '../harness/flux-fixtures.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

/** An environment's roll-up named by a CEL expression, through the whole relay. */

const UID = '5b0d1a2c-8e0f-4f7e-a1b2-c3d4e5f60718';
const CLUSTERS = ['prod-eu-1', 'prod-us-1'];
const EXPR =
  "'fleet/' + environment.name + '/' + event.involvedObject.name + '/' + provider.metadata.uid.split('-').first().value()";
const BASE = Math.floor(Date.now() / 1000) * 1000 - 600_000;
const SHA = 'e'.repeat(40);

describe('commitStatusExpr on a fleet environment', () => {
  const github = new FakeGitHub();
  beforeAll(async () => void (await github.start()));
  afterAll(async () => github.stop());

  function send(environment: FleetEnvironment) {
    const { relay } = testRelay(fleetRoutes(github.url, CLUSTERS), {
      environments: { production: environment },
    });
    const handler = apiGatewayHandler(relay);
    return async (cluster: string, body: string) => {
      const response = await handler(apiEvent({ route: cluster, body }));
      return { statusCode: response.statusCode, body: JSON.parse(response.body) };
    };
  }

  it('names the roll-up by the expression, one roll-up for every cluster of the object', async () => {
    const deliver = send({ commitStatusExpr: EXPR, provider: { metadata: { uid: UID } } });

    await deliver('prod-eu-1', verdictEvent(SHA, 'success', BASE));
    const answer = await deliver('prod-us-1', verdictEvent(SHA, 'success', BASE + 1000));

    expect(answer.statusCode).toBe(200);
    const named = github
      .statusesOf('acme/fleet-infra', SHA)
      .filter((s) => s.context === 'fleet/production/apps/5b0d1a2c');
    expect(named.length).toBeGreaterThan(0);
    expect(named[0]).toMatchObject({ state: 'success' });
    expect(new Set(github.statusesOf('acme/fleet-infra', SHA).map((s) => s.context))).toEqual(
      new Set(['fleet/production/apps/5b0d1a2c']),
    );
  });

  it('refuses the report with a 422 when the expression fails on the object, and writes nothing', async () => {
    const sha = 'f'.repeat(40);
    const deliver = send({ commitStatusExpr: "event.involvedObject.name.split('-')[1]" });

    const answer = await deliver('prod-eu-1', verdictEvent(sha, 'success', BASE));

    expect(answer.statusCode).toBe(422);
    expect(answer.body).toMatchObject({ error: 'status-expression-failed' });
    expect(answer.body.reason).toMatch(/environment "production"'s commitStatusExpr failed on the event/);
    expect(github.statusesOf('acme/fleet-infra', sha)).toEqual([]);
  });
});

describe("an environment's commitStatusExpr at load", () => {
  const routes = fleetRoutes('http://127.0.0.1:1', CLUSTERS);

  it.each([
    [
      "event.message + '/x'",
      /environments\.production\.commitStatusExpr: 1:\d+: a roll-up reads only event\.involvedObject .* not 'event\.message'/,
    ],
    ["'x/' + event.metadata.env", /not 'event\.metadata\.env'/],
    [
      "alert.metadata.name + '/x'",
      /undeclared reference to 'alert' \(declared: event, provider, environment\)/,
    ],
    ['size(event.involvedObject.name)', /the result's type is int, not string/],
  ])('refuses %s', async (expr, error) => {
    const loading = checkConfigExpressions(
      { routes, environments: { production: { commitStatusExpr: expr } } },
      'config/prod.json',
    );

    await expect(loading).rejects.toThrow(ConfigError);
    await expect(loading).rejects.toThrow(error);
  });

  it('refuses context beside commitStatusExpr in the config itself', () => {
    const parsed = EnvironmentConfigSchema.safeParse({
      routes,
      environments: { production: { context: 'flux/{{environment}}', commitStatusExpr: EXPR } },
    });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(
      'environments.production.context',
    );
  });

  it('refuses a route whose context could render the roll-up the expression gives', async () => {
    const clash = fleetRoutes('http://127.0.0.1:1', CLUSTERS, {
      clusterStatuses: true,
      context: 'fleet/{{cluster}}/{{name}}/{{uid}}',
    });

    const issues = await expressionIssues({
      routes: clash,
      environments: {
        production: {
          commitStatusExpr:
            "'fleet/' + environment.name + '/' + event.involvedObject.name + '/' + event.involvedObject.kind.lowerAscii()",
        },
      },
    });

    expect(issues).toEqual([]);
    const renamed = fleetRoutes('http://127.0.0.1:1', ['production'], {
      clusterStatuses: true,
      context: 'fleet/{{cluster}}/{{name}}/{{uid}}',
    });
    const found = await expressionIssues({
      routes: renamed,
      environments: {
        production: {
          commitStatusExpr:
            "'fleet/' + environment.name + '/' + event.involvedObject.name + '/' + event.involvedObject.kind.lowerAscii()",
        },
      },
    });
    expect(found).toMatchObject([
      {
        path: ['routes', 0, 'context'],
        message: expect.stringMatching(/can render the roll-up context of environment "production"/),
      },
    ]);
  });

  it("refuses a route's expression that could give the roll-up's name, and two environments' that could give alike", async () => {
    const route = testRoute('http://127.0.0.1:1', {
      id: 'prod-eu-1',
      environment: 'production',
      clusterStatuses: true,
      commitStatusExpr: "'flux/' + event.metadata.env + '/' + event.involvedObject.name",
    });
    const staging = testRoute('http://127.0.0.1:1', {
      id: 'stage-1',
      environment: 'staging',
      clusterStatuses: false,
    });

    const issues = await expressionIssues({
      routes: [route, staging],
      environments: {
        production: { commitStatusExpr: "'flux/production/' + event.involvedObject.name" },
        staging: {
          commitStatusExpr: "'flux/' + provider.metadata.name + '/' + event.involvedObject.name.lowerAscii()",
        },
      },
    });

    expect(issues.map((issue) => issue.path.join('.'))).toEqual([
      'routes.0.commitStatusExpr',
      'routes.0.commitStatusExpr',
    ]);
    const apart = await expressionIssues({
      routes: [{ ...route, commitStatusExpr: "'cluster/' + event.involvedObject.name" }, staging],
      environments: {
        production: { commitStatusExpr: "'flux/production/' + event.involvedObject.name" },
        staging: { commitStatusExpr: "'flux/' + provider.metadata.name + '/' + event.involvedObject.name" },
      },
    });
    expect(apart).toEqual([]);
    const alike = await expressionIssues({
      routes: [{ ...route, commitStatusExpr: "'cluster/' + event.involvedObject.name" }, staging],
      environments: {
        production: { commitStatusExpr: "'flux/' + event.involvedObject.name.lowerAscii()" },
        staging: { commitStatusExpr: "'flux/staging/' + event.involvedObject.name" },
      },
    });
    expect(alike).toMatchObject([{ path: ['environments', 'staging', 'commitStatusExpr'] }]);
  });
});
