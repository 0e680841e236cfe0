import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiGatewayHandler } from '../../functions/webhook/api-gateway-handler.js';
import { eventOf, FIXTURES, fixture, verdictEvent } from '../harness/flux-fixtures.js';
import { useForge } from '../harness/forge-behaviour.js';
import { profile as github } from '../harness/forges/github.js';
import { apiEvent, testRelay } from '../harness/relay-harness.js';

/**
 * The notification-controller versions whose eligibility rules differ for this service, one fixture
 * each (test/fixtures/notification-controller/, facts read in each version's code and changelog):
 * which events a generic(-hmac) provider receives, and which of them Flux's own forge providers write.
 */

type EventClass = 'commitStatusUpdate' | 'errorWithRevision' | 'progressing' | 'errorWithoutRevision';
interface VersionRules {
  versions: string;
  source: string;
  forwardsToGeneric: Record<EventClass, boolean>;
  fluxForgeProviderWrites: Record<EventClass, boolean>;
  notes: string;
}

const DIR = new URL('../fixtures/notification-controller/', import.meta.url);
const VERSIONS = readdirSync(DIR)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map(
    (name) => [name.replace(/\.json$/, ''), JSON.parse(readFileSync(new URL(name, DIR), 'utf8'))] as const,
  );

function classOf(body: string): EventClass {
  const event = JSON.parse(body);
  if (event.reason === 'Progressing') return 'progressing';
  if (event.severity === 'error')
    return event.metadata?.revision ? 'errorWithRevision' : 'errorWithoutRevision';
  if (event.metadata?.commit_status === 'update') return 'commitStatusUpdate';
  throw new Error(`no class for ${event.reason}`);
}

/** This service's answer to each class, in every version: what it writes, or why it skips. */
const OURS: Record<EventClass, { outcome: string; state?: string }> = {
  commitStatusUpdate: { outcome: 'written', state: 'success' },
  errorWithRevision: { outcome: 'written', state: 'failure' },
  progressing: { outcome: 'written', state: 'pending' },
  errorWithoutRevision: { outcome: 'skipped' },
};

/** In the order a cluster sends them: the Progressing of a549 comes before its failure. */
const FIXTURE_EVENTS = [
  FIXTURES.progressing,
  FIXTURES.healthCheckFailed,
  FIXTURES.reconciled,
  FIXTURES.errorWithoutRevision,
];

describe.each(VERSIONS)('notification-controller %s', (_, rules: VersionRules) => {
  const forge = useForge(github);

  it('forwards each fixture event as its rules say, and this service answers each as always', async () => {
    const { handler } = forge.setup();
    const answers: Record<string, unknown> = {};

    for (const name of FIXTURE_EVENTS) {
      const body = fixture(name).toString();
      const type = classOf(body);
      if (!rules.forwardsToGeneric[type]) continue;
      const answer = JSON.parse((await handler(apiEvent({ body }))).body);
      answers[type] = {
        outcome: answer.outcome,
        ...(answer.state === undefined ? {} : { state: answer.state }),
      };
    }

    const forwarded = (Object.keys(OURS) as EventClass[]).filter((type) => rules.forwardsToGeneric[type]);
    expect(answers).toEqual(Object.fromEntries(forwarded.map((type) => [type, OURS[type]])));
  });

  it('ends a reconciled commit in success when the success event is forwarded, else in the sweep’s error', async () => {
    const sha = 'a'.repeat(40);
    const clock = { now: Date.now() };
    const { relay, sweep } = testRelay([forge.route()], { secrets: forge.secrets(), now: () => clock.now });
    const handler = apiGatewayHandler(relay);
    for (const body of [
      verdictEvent(sha, 'pending', clock.now - 60_000),
      verdictEvent(sha, 'success', clock.now),
    ]) {
      if (rules.forwardsToGeneric[classOf(body)]) await handler(apiEvent({ body }));
    }
    clock.now += 31 * 60_000;
    await sweep();

    const [shown] = github.written(forge.fake, sha);
    expect(shown?.state).toBe(rules.forwardsToGeneric.commitStatusUpdate ? 'success' : 'error');
  });
});

describe('this service against Flux’s own forge providers', () => {
  const written = (rules: VersionRules) =>
    (Object.keys(OURS) as EventClass[]).filter(
      (type) => rules.forwardsToGeneric[type] && OURS[type].outcome === 'written' && type !== 'progressing',
    );
  const fluxWrites = (rules: VersionRules) =>
    (Object.keys(OURS) as EventClass[]).filter((type) => rules.fluxForgeProviderWrites[type]);

  it('writes what notification-controller 1.9 writes (pending besides, which only Flux’s Gitea posts)', () => {
    const current = VERSIONS.find(([name]) => name === '1.9')?.[1] as VersionRules;

    expect(written(current)).toEqual(fluxWrites(current));
  });

  it('writes, with 1.8.4, the failures of error events without a commit key that Flux’s own providers dropped', () => {
    const patch = VERSIONS.find(([name]) => name === '1.8.4')?.[1] as VersionRules;

    expect(written(patch).filter((type) => !fluxWrites(patch).includes(type))).toEqual(['errorWithRevision']);
  });

  it('names every fixture event by one class', () => {
    expect(FIXTURE_EVENTS.map((name) => classOf(JSON.stringify(eventOf(name))))).toEqual([
      'progressing',
      'errorWithRevision',
      'commitStatusUpdate',
      'errorWithoutRevision',
    ]);
  });
});
