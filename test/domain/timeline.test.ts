import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admitEvents, foldConversation } from '../../src/domain/conversation.js';
import type { ConversationEvent } from '../../src/domain/events.js';
import { mergeEvents } from '../../src/domain/timeline/order.js';
import { Call, org, planOf, stationsOn, T0 } from '../support/call.js';

const WINDOW_MS = 2000;
const config = org({ stations: stationsOn('ua', 'ub'), trunk: { consultRecording: true } });

/** A busy call: IVR, queue, agent A, hold, consult with B and transfer, snippet, secure pause, wrap-up. */
function busyCall() {
  return new Call('busy')
    .start(0, 'inbound')
    .join(0, 'c', 'customer')
    .join(0, 'ivr', 'ivr')
    .ivr(0.2, 'c')
    .join(4, 'acd', 'acd')
    .leave(4.1, 'ivr')
    .queue(4.1, 'c')
    .join(6, 'a', 'agent')
    .talk(6.5, 'c', 'a')
    .leave(6.6, 'acd')
    .snippet(8, 'a', true)
    .hold(9, 'a')
    .talk(10.5, 'a')
    .snippet(11, 'a', false)
    .securePause(12, true)
    .securePause(13.2, false)
    .join(14, 'b', 'agent')
    .talk(14.3, 'b')
    .consult(14.3, 'a', 'b')
    .transfer(17, 'consult', 'a', 'b')
    .consultEnd(17)
    .wrapup(17.4, 'a')
    .leave(17.5, 'a')
    .leave(25, 'c')
    .wrapup(25, 'b')
    .end(25.5)
    .wrapupDone(30, 'b', 'done');
}

/** Feeds events one by one, as the events endpoint does; returns the final fold. */
function ingest(conversationId: string, arrivals: ConversationEvent[]) {
  let stored: ConversationEvent[] = [];
  for (const event of arrivals) {
    stored = [...admitEvents(conversationId, stored, [event], config, { windowMs: WINDOW_MS }).events];
  }
  return foldConversation(conversationId, stored, config, { windowMs: WINDOW_MS });
}

describe('timeline ordering', () => {
  it('orders events by instant, then structure (start, join, act, leave, end), then arrival', () => {
    const call = new Call().start(0, 'inbound').join(0, 'c', 'customer').leave(5, 'c').end(5);
    const [start, join, leave, end] = call.domainEvents();
    const { events } = mergeEvents([], [end!, leave!, join!, start!]);
    expect(events.map((e) => e.type)).toEqual(['conversation.started', 'participant.joined', 'participant.left', 'conversation.ended']);
  });

  it('drops a repeated eventId and keeps the first', () => {
    const [start] = new Call().start(0, 'inbound').domainEvents();
    const { events, duplicates } = mergeEvents([start!], [{ ...start!, seq: 9 }]);
    expect(events).toHaveLength(1);
    expect(duplicates).toHaveLength(1);
  });

  it('refuses an eventId reused for a different event', () => {
    const [start] = new Call().start(0, 'inbound').domainEvents();
    expect(() => mergeEvents([start!], [{ ...start!, seq: 2, direction: 'outbound' } as ConversationEvent])).toThrow(
      expect.objectContaining({ code: 'event.idConflict' }),
    );
  });

  it('refuses an event older than the window behind the conversation', () => {
    const events = new Call().start(0, 'inbound').join(0, 'c', 'customer').talk(10, 'c').join(7, 'a', 'agent').domainEvents();
    const stored = admitEvents('conv-1', [], events.slice(0, 3), config, { windowMs: WINDOW_MS }).events;
    expect(() => admitEvents('conv-1', stored, [events[3]!], config, { windowMs: WINDOW_MS })).toThrow(
      expect.objectContaining({ code: 'event.late' }),
    );
  });

  it('refuses an event later than the window behind the newest audio too', () => {
    const [start] = new Call().start(0, 'inbound').domainEvents();
    expect(() => admitEvents('conv-1', [], [start!], config, { windowMs: WINDOW_MS, mediaHighWaterMs: T0 + 5000 })).toThrow(
      expect.objectContaining({ code: 'event.late' }),
    );
  });
});

describe('impossible sequences are refused with a clear error', () => {
  const cases: Array<[string, (c: Call) => Call, string]> = [
    ['an event before the conversation starts', (c) => c.join(0, 'c', 'customer'), 'timeline.notStarted'],
    ['a second conversation.started', (c) => c.start(0, 'inbound').start(1, 'inbound'), 'timeline.alreadyStarted'],
    ['an event after the conversation ended', (c) => c.start(0, 'inbound').end(1).join(2, 'c', 'customer'), 'timeline.ended'],
    ['a segment of someone who never joined', (c) => c.start(0, 'inbound').talk(1, 'zed'), 'timeline.unknownParticipant'],
    ['joining twice', (c) => c.start(0, 'inbound').join(0, 'c', 'customer').join(1, 'c', 'customer'), 'timeline.participantExists'],
    ['acting after leaving', (c) => c.start(0, 'inbound').join(0, 'c', 'customer').leave(1, 'c').talk(2, 'c'), 'timeline.participantLeft'],
    ['an agent without a user', (c) => c.start(0, 'inbound').join(0, 'q', 'agent', { userId: undefined }), 'timeline.userRequired'],
    ['ending a consult that never started', (c) => c.start(0, 'inbound').consultEnd(1), 'timeline.noConsult'],
    ['monitoring by a customer', (c) => c.start(0, 'inbound').join(0, 'c', 'customer').join(0, 'a', 'agent').monitor(1, 'c', 'a', 'monitor'), 'timeline.monitoringPurpose'],
    ['completing a wrap-up that never started', (c) => c.start(0, 'inbound').join(0, 'a', 'agent').wrapupDone(1, 'a'), 'timeline.noWrapup'],
    ['an external transfer to an agent', (c) => c.start(0, 'inbound').join(0, 'a', 'agent').join(0, 'b', 'agent').transfer(1, 'external', 'a', 'b'), 'timeline.transferTarget'],
  ];
  for (const [what, build, code] of cases) {
    it(`${what}: ${code}`, () => {
      expect(() => planOf(build(new Call()))).toThrow(expect.objectContaining({ code }));
    });
  }

  it('the endpoint path refuses it too, once the conversation has moved past it', () => {
    const events = new Call().start(0, 'inbound').join(0, 'c', 'customer').talk(5, 'nobody').join(8, 'a', 'agent').domainEvents();
    expect(() => admitEvents('conv-1', [], events, config, { windowMs: WINDOW_MS })).toThrow(
      expect.objectContaining({ code: 'timeline.unknownParticipant' }),
    );
  });

  it('an event that may still be preceded by a late one waits as pending instead of failing', () => {
    const events = new Call().start(0, 'inbound').join(0, 'c', 'customer').join(1, 'a', 'agent').talk(1, 'c', 'a').domainEvents();
    const withoutJoin = events.filter((e) => !(e.type === 'participant.joined' && e.participantId === 'a'));
    const admitted = admitEvents('conv-1', [], withoutJoin, config, { windowMs: WINDOW_MS });
    expect(admitted.folded.pending.map((p) => p.error?.code)).toEqual(['timeline.unknownParticipant']);
    const completed = admitEvents('conv-1', admitted.events, events, config, { windowMs: WINDOW_MS });
    expect(completed.folded.pending).toEqual([]);
    expect(completed.folded.applied).toHaveLength(5);
  });
});

describe('property: the plan does not depend on arrival order within the window, nor on repeats', () => {
  const baseline = planOf(busyCall(), config).plan;
  const events = busyCall().domainEvents();
  const instants = [...new Set(events.map((e) => e.atMs))];

  it('has something to compare: the busy call plans several recordings', () => {
    expect(baseline.recordings.map((r) => r.spec.key).sort()).toEqual(['consult:1', 'snippet:a:1', 'station:a', 'station:b', 'trunk:c']);
  });

  it('shuffled inside the window and with duplicates, the same plan', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: WINDOW_MS - 1 }), { minLength: instants.length, maxLength: instants.length }),
        fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 8 }),
        (delays, repeated) => {
          // The events of each instant travel together, delayed by less than the window.
          const delayOf = new Map(instants.map((at, i) => [at, delays[i]!]));
          const arrivals = events
            .map((e, i) => ({ e, arrival: e.atMs + delayOf.get(e.atMs)!, i }))
            .sort((x, y) => x.arrival - y.arrival || x.i - y.i)
            .map(({ e }) => e);
          // A repeat is a retry: it comes some time after the original.
          for (const i of repeated) {
            const original = arrivals.findIndex((e) => e.eventId === events[i]!.eventId);
            arrivals.splice(Math.min(arrivals.length, original + 1 + (i % 4)), 0, { ...events[i]! });
          }
          const folded = ingest('busy', arrivals.map((e, seq) => ({ ...e, seq: seq + 1 })));
          expect(folded.rejected).toEqual([]);
          expect(folded.pending).toEqual([]);
          expect(folded.plan).toEqual(baseline);
        },
      ),
      { numRuns: 150 },
    );
  }, 90_000);
});
