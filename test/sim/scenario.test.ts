import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileConversation, IdScope } from '../../src/sim/compile.js';
import { loadScenarios } from '../../src/sim/scenario.js';

/** Scenario files are written by people: mistakes are reported with the file and the field. */

const minimal = `
name: tiny
title: A tiny call
config:
  trunks: { t1: {} }
participants:
  c: { purpose: customer }
  a: { purpose: agent, user: alice }
timeline:
  - { at: 0, start: inbound, trunk: t1 }
  - { at: 0, join: [c, a] }
  - { at: 1, talk: [c, a] }
  - { at: 9, leave: [c, a] }
  - { at: 9, end: true }
expect:
  recordings:
    - kind: trunk
      perspective: c
      duration: 9
      spans:
        - { from: 0, to: 1, ch1: [c], ch2: [] }
        - { from: 1, to: 9, ch1: [c], ch2: [a] }
`;

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-scenarios-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('scenario files', () => {
  it('load with defaults: signatures in declaration order, PCMU at 8 kHz, default tolerances', async () => {
    const [s] = await loadScenarios([folder({ 'tiny.yaml': minimal })]);
    expect([...s!.signatures]).toEqual([
      ['c', 400],
      ['a', 600],
    ]);
    expect(s!.participants.c).toMatchObject({ codec: 'PCMU', sampleRate: 8000 });
    expect(s!.expect.tolerance).toEqual({ boundary: 0.15, duration: 0.1, minimumMismatch: 0.15 });
  });

  it('compile into wire events with the configured ids scoped and the organization\'s ids left alone', async () => {
    const [s] = await loadScenarios([folder({ 'tiny.yaml': minimal })]);
    const compiled = compileConversation(s!, new IdScope(s!, 'r1.tiny'), 'conv-9', Date.parse('2026-01-01T00:00:00Z'));
    expect(compiled.events[0]!.event).toEqual({ eventId: 'e1', conversationId: 'conv-9', at: '2026-01-01T00:00:00.000Z', type: 'conversation.started', direction: 'inbound', trunkId: 'r1.tiny.t1' });
    expect(compiled.events[2]!.event).toMatchObject({ type: 'participant.joined', participantId: 'a', purpose: 'agent', userId: 'alice' });
    expect(compiled.sources.map((x) => [x.participantId, x.fromSec, x.toSec])).toEqual([
      ['c', 0, 9],
      ['a', 0, 9],
    ]);
  });

  it('name the file and every problem: unknown participants, two verbs in a step, spans with gaps', async () => {
    const broken = minimal
      .replace('- { at: 1, talk: [c, a] }', '- { at: 1, talk: [c, b] }\n  - { at: 2, hold: a, leave: a }')
      .replace('{ from: 1, to: 9,', '{ from: 2, to: 9,');
    const dir = folder({ 'broken.yaml': broken });
    await expect(loadScenarios([dir])).rejects.toThrow(
      [
        `${path.join(dir, 'broken.yaml')}:`,
        '  - timeline.3: has several verbs (leave, hold); use one step each',
      ].join('\n'),
    );
    const fixedStep = broken.replace('\n  - { at: 2, hold: a, leave: a }', '');
    await expect(loadScenarios([folder({ 'broken.yaml': fixedStep })])).rejects.toThrow(
      /timeline\.2: unknown participant b\n {2}- expect\.recordings\.0\.spans\.1: starts at 2, expected 1 \(spans must cover the recording without gaps\)/,
    );
  });

  it('refuse two scenarios with the same name, and read configuration from a shared *.config.yaml', async () => {
    const dir = folder({ 'a.yaml': minimal, 'b.yaml': minimal });
    await expect(loadScenarios([dir])).rejects.toThrow(/name tiny is already used by .*a\.yaml/);
    const shared = folder({ 'org.config.yaml': 'trunks: { t1: { recordHolds: false } }\n', 'tiny.yaml': minimal.replace(/config:\n {2}trunks: \{ t1: \{\} \}/, 'config: org.config.yaml') });
    const [s] = await loadScenarios([shared]);
    expect(s!.config.trunks).toEqual({ t1: { recordHolds: false } });
  });
});
