import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChangeRequestComment } from '../../functions/core/change-request-comment.js';
import { OrderingContentionError } from '../../functions/core/errors.js';
import { commentKey, createCommentDelivery } from '../../functions/delivery/comment-delivery.js';
import { ForgeClients } from '../../functions/delivery/forge-clients.js';
import { KeyedSerializer } from '../../functions/delivery/keyed-serializer.js';
import { SecretScope } from '../../functions/delivery/secret-scope.js';
import type { ChangeRequestCommenter, ForgeClient } from '../../functions/forges/forge.js';
import { MemoryLedger } from '../../functions/ledger/memory-ledger.js';
import { eventOrder } from '../../functions/ledger/status-ledger.js';
import { MemorySecrets, testRoute } from '../harness/flux-fixtures.js';
import { scheduledLedger, step } from '../harness/scheduled.js';

/**
 * A change request's comment delivered by two relays (containers) sharing one ledger, every ledger
 * call and every forge step ordered by the scheduler: the comment list read, then each edit or
 * creation landing at a step of its own. Whatever the order, the comment ends showing the newest
 * event's verdict; two creations racing may leave two comments, each showing it.
 */

const MARKER = '<!-- flux-pr-comment-key:test/Kustomization/flux-system/apps -->';
type State = 'pending' | 'success' | 'failure';
interface PlannedEvent {
  time: number;
  state: State;
}

const events = fc.uniqueArray(
  fc.record({
    time: fc.integer({ min: 0, max: 3 }),
    state: fc.constantFrom<State>('pending', 'success', 'failure'),
  }),
  { minLength: 1, maxLength: 4, selector: (event) => `${event.time}/${event.state}` },
);

const bodyOf = (event: PlannedEvent) => `${MARKER}\n\n## Flux Status\n\n${event.state} at ${event.time}`;
const commentOf = (event: PlannedEvent): ChangeRequestComment => ({
  changeRequest: 42,
  marker: MARKER,
  body: bodyOf(event),
});

function newest(planned: PlannedEvent[]): string {
  const order = (event: PlannedEvent) =>
    eventOrder(event.time * 1000, { state: event.state, description: bodyOf(event), targetUrl: '' });
  return bodyOf([...planned].sort((a, b) => (order(a) < order(b) ? -1 : 1)).at(-1) as PlannedEvent);
}

/** A change request on one forge, its calls taking steps the scheduler orders. */
function scheduledForge(s: fc.Scheduler, comments: Array<{ id: number; body: string }>) {
  let nextId = 1;
  const commenter: ForgeClient & ChangeRequestCommenter = {
    write: () => Promise.reject(new Error('not a status test')),
    async upsertComment({ marker, body }) {
      await step(s, 'list');
      const found = comments
        .filter((comment) => comment.body.startsWith(marker))
        .map((comment) => comment.id);
      const stale = found.filter((id) => comments.find((comment) => comment.id === id)?.body !== body);
      for (const id of stale) {
        await step(s, `edit ${id}`);
        const comment = comments.find((each) => each.id === id);
        if (comment !== undefined) comment.body = body;
      }
      if (found.length > 0) return stale.length > 0 ? 'edited' : 'unchanged';
      await step(s, 'create');
      comments.push({ id: nextId++, body });
      return 'created';
    },
  };
  return commenter;
}

describe('a change request comment under explored interleavings of two relays', () => {
  it('ends showing the newest verdict, whatever the order of events, containers and forge steps', async () => {
    const route = testRoute('http://127.0.0.1:1', { changeRequestComments: true });
    const secrets = new MemorySecrets({ 'test/forge': { token: 'forge-token' } });
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        events.chain((planned) =>
          fc.tuple(
            fc.constant(planned as PlannedEvent[]),
            fc.array(fc.nat({ max: 1 }), { minLength: planned.length, maxLength: planned.length }),
          ),
        ),
        async (s, [planned, containers]) => {
          // Prepare: one forge, one shared ledger, two containers each with its own clients.
          const shared = new MemoryLedger();
          const comments: Array<{ id: number; body: string }> = [];
          const forge = scheduledForge(s, comments);
          const relays = [0, 1].map(() =>
            createCommentDelivery({
              ledger: scheduledLedger(s, shared),
              clients: new ForgeClients(async () => forge),
              serializer: new KeyedSerializer(),
              now: () => 0,
            }),
          );

          async function deliver(event: PlannedEvent, index: number) {
            await step(s, `event ${index} arrives`);
            const relay = relays[containers[index] ?? 0] as (typeof relays)[number];
            for (let round = 0; ; round++) {
              try {
                return await relay({
                  route,
                  comment: commentOf(event),
                  state: event.state,
                  eventTime: event.time * 1000,
                  deadline: 10_000,
                  scope: new SecretScope(secrets),
                });
              } catch (error) {
                // A storm on one identity answers 503; Flux sends the event again.
                if (!(error instanceof OrderingContentionError) || round >= 5) throw error;
              }
            }
          }

          // Act
          await s.waitFor(Promise.all(planned.map(deliver)));

          // Assess
          expect(comments.length).toBeGreaterThanOrEqual(1);
          expect(comments.map((comment) => comment.body)).toEqual(comments.map(() => newest(planned)));
          const item = await shared.read(commentKey(route, commentOf(planned[0] as PlannedEvent)));
          expect(item?.claim.status.description).toBe(newest(planned));
        },
      ),
      { numRuns: 150 },
    );
  });
});
