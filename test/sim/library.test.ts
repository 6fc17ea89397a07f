import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planTimeline, type PlannedRecording } from '../../src/domain/capture/index.js';
import { eventSchema, toDomainEvent } from '../../src/domain/events.js';
import { telephonyConfig, withDefaults, type TelephonyEntity, type TelephonyKind } from '../../src/domain/telephony.js';
import { mergeEvents } from '../../src/domain/timeline/order.js';
import { compileConversation, configPuts, IdScope, type SourcePlan } from '../../src/sim/compile.js';
import { loadScenarios, type Scenario } from '../../src/sim/scenario.js';
import { ROOT } from '../support/process.js';

/**
 * The scenario library's expectations are written by hand from CONFORMANCE.md. This test reads
 * each scenario's timeline with the domain's capture rules and checks that both say the same, so
 * that a slip in a hand-written span (or a rule that disagrees with the oracle) shows up here,
 * without a server, before the end-to-end run.
 */

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const scenarios = await loadScenarios([path.join(ROOT, 'scenarios')]);

function planOf(scenario: Scenario) {
  const scope = new IdScope(scenario, undefined);
  const compiled = compileConversation(scenario, scope, 'conv', T0);
  const puts = configPuts(scenario, scope);
  const entities = <K extends TelephonyKind>(kind: K): TelephonyEntity<K>[] =>
    puts.filter((p) => p.kind === kind).map((p) => withDefaults(kind, { id: p.id, ...p.body }));
  const config = telephonyConfig({ trunks: entities('trunks'), stations: entities('stations'), flows: entities('flows'), queues: entities('queues'), users: entities('users') });
  const events = compiled.events.map((e, i) => toDomainEvent(eventSchema.parse(e.event), i + 1));
  return { plan: planTimeline('conv', mergeEvents([], events).events, config).plan, sources: compiled.sources };
}

/** What a listener should hear in a planned recording, in recording seconds, given who speaks when. */
function heard(rec: PlannedRecording, sources: readonly SourcePlan[]) {
  const speaking = (pid: string, atSec: number) => sources.some((s) => s.participantId === pid && s.fromSec <= atSec && atSec < s.toSec);
  const cuts = new Set(sources.flatMap((s) => [s.fromSec, s.toSec]));
  const spans: Piece[] = [];
  const annotations: { reason: string; at: number; duration: number; cut: boolean }[] = [];
  let position = 0;
  for (const span of rec.spans) {
    const from = (span.fromMs - T0) / 1000;
    const to = ((span.toMs ?? span.fromMs) - T0) / 1000;
    if (span.reason) annotations.push({ reason: span.reason, at: position, duration: to - from, cut: !span.captured });
    if (!span.captured) continue;
    const edges = [from, ...[...cuts].filter((t) => t > from && t < to).sort((a, b) => a - b), to];
    for (let i = 0; i + 1 < edges.length; i++) {
      const mid = (edges[i]! + edges[i + 1]!) / 2;
      const piece = {
        from: position + edges[i]! - from,
        to: position + edges[i + 1]! - from,
        ch1: span.ch1.filter((p) => speaking(p, mid)).sort(),
        ch2: span.ch2.filter((p) => speaking(p, mid)).sort(),
      };
      spans.push(piece);
    }
    position += to - from;
  }
  return { duration: position, spans: merged(spans), annotations };
}

type Piece = { from: number; to: number; ch1: string[]; ch2: string[] };

/** Neighbouring spans with the same voices read as one (a cut between them changes nothing audible). */
function merged(spans: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && last.ch1.join() === s.ch1.join() && last.ch2.join() === s.ch2.join()) last.to = s.to;
    else out.push({ ...s });
  }
  return out;
}

describe('scenario library', () => {
  it('has every scenario file valid and uniquely named', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(50);
  });

  for (const scenario of scenarios) {
    it(`${scenario.name}: the expectations agree with the capture rules`, () => {
      const { plan, sources } = planOf(scenario);
      const kept = plan.recordings.filter((r) => r.status !== 'discarded' && r.spec.kind !== 'screen');
      const fromRules = kept.map((r) => ({ kind: r.spec.kind, perspective: r.spec.participantId, startsAt: (r.startedAtMs - T0) / 1000, beepTone: r.spec.audio?.beepTone, ...heard(r, sources) }));
      const written = scenario.expect.recordings.map((r) => ({
        kind: r.kind,
        perspective: r.perspective,
        startsAt: r.startsAt ?? fromRules.find((x) => x.kind === r.kind && x.perspective === r.perspective)?.startsAt,
        beepTone: r.beepTone ?? fromRules.find((x) => x.kind === r.kind && x.perspective === r.perspective)?.beepTone,
        duration: r.duration,
        spans: merged(r.spans.map((s) => ({ from: s.from, to: s.to, ch1: [...s.ch1].sort(), ch2: [...s.ch2].sort() }))),
        annotations: r.annotations.map((a) => ({ reason: a.reason, at: a.at, duration: a.duration, cut: a.cut })),
      }));
      const order = (a: { kind: string; perspective: string; startsAt?: number }, b: typeof a) =>
        a.kind.localeCompare(b.kind) || a.perspective.localeCompare(b.perspective) || (a.startsAt ?? 0) - (b.startsAt ?? 0);
      expect(written.sort(order)).toEqual(fromRules.sort(order));
    });
  }
});
