import { describe, expect, it } from 'vitest';
import { AudioHookServerSession, type OpenContext, type SessionListener } from '../../src/ingest/audiohook/protocol/server-session.js';
import { fixtureLines, fixtureText } from '../support/protocol-fixtures.js';

/** The AudioHook v2 server state machine, driven by the messages a Genesys client sends. */

interface Recorded {
  sent: any[];
  calls: string[];
  audio: Array<{ position: number; channels: Record<string, number[]> }>;
  gaps: Array<[string, number, number]>;
  opened?: OpenContext;
  closedTransport: boolean;
}

function harness(options: { unauthorized?: string; sessionId?: string; startPaused?: boolean } = {}) {
  const rec: Recorded = { sent: [], calls: [], audio: [], gaps: [], closedTransport: false };
  const listener: SessionListener = {
    authorize: async () => options.unauthorized,
    open: async (ctx) => {
      rec.opened = ctx;
      return { startPaused: options.startPaused };
    },
    audio: (frame, position) => rec.audio.push({ position, channels: Object.fromEntries([...frame.channels].map(([c, p]) => [c, [...p]])) }),
    gap: (kind, start, samples) => rec.gaps.push([kind, start, samples]),
    paused: (p) => rec.calls.push(`paused@${p}`),
    resumed: (p) => rec.calls.push(`resumed@${p}`),
    update: (l) => rec.calls.push(`update:${l}`),
    clientError: (code) => rec.calls.push(`error:${code}`),
    close: async (reason) => void rec.calls.push(`close:${reason}`),
    ended: (state) => rec.calls.push(`ended:${state}`),
    rejected: (reason) => rec.calls.push(`rejected:${reason}`),
  };
  const session = new AudioHookServerSession(
    { send: (t) => rec.sent.push(JSON.parse(t)), close: () => (rec.closedTransport = true) },
    listener,
    options.sessionId,
  );
  return { session, rec };
}

const flush = () => new Promise((r) => setTimeout(r, 5));
const lines = fixtureLines('audiohook', 'session.jsonl');

describe('AudioHook server session', () => {
  it('opens with exactly one offered media entry (stereo preferred), answers ping, update and close in sequence', async () => {
    const { session, rec } = harness();
    session.onText(lines[0]!);
    expect(session.state).toBe('opening');
    await flush();
    expect(session.state).toBe('active');
    const opened = rec.sent[0];
    expect(opened).toMatchObject({ version: '2', type: 'opened', seq: 1, clientseq: 1, id: '1f35f7df-6a4c-4d0b-9b11-3c1f2a0e5d77' });
    expect(opened.parameters.media).toEqual([{ type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 }]);
    session.onText(lines[1]!);
    expect(rec.sent[1]).toMatchObject({ type: 'pong', seq: 2, clientseq: 2 });
  });

  it('splits interleaved PCMU by the selected channel order, and places frames on the stream timeline', async () => {
    const { session, rec } = harness();
    session.onText(lines[0]!);
    await flush();
    session.onBinary(new Uint8Array([1, 2, 3, 4, 5, 6]));
    session.onBinary(new Uint8Array([7, 8]));
    session.onBinary(new Uint8Array(0)); // the reference client sends these; whole (zero) samples
    expect(rec.audio).toEqual([
      { position: 0, channels: { external: [1, 3, 5], internal: [2, 4, 6] } },
      { position: 3, channels: { external: [7], internal: [8] } },
    ]);
  });

  it('takes L16 in the order internal, external (little-endian pairs)', async () => {
    const { session, rec } = harness();
    session.onText(fixtureText('audiohook', 'open-l16-internal-first.json'));
    await flush();
    expect(rec.opened?.open.continuedSessions?.[0]?.clientseq).toBe(8);
    session.onBinary(new Uint8Array([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]));
    expect(rec.audio[0]!.channels).toEqual({ internal: [1, 2, 5, 6], external: [3, 4, 7, 8] });
  });

  it('pause, resume and discard: the skipped spans are reported where they sit on the timeline', async () => {
    const { session, rec } = harness();
    session.onText(lines[0]!);
    await flush();
    session.onText(lines[1]!);
    session.onBinary(new Uint8Array(3200)); // 200 ms stereo PCMU
    session.onText(lines[2]!);
    expect(rec.calls).toEqual(['paused@1600']);
    expect(session.state).toBe('paused');
    session.onText(lines[3]!);
    expect(session.state).toBe('active');
    session.onText(lines[4]!);
    expect(rec.gaps).toEqual([
      ['paused', 1600, 78400],
      ['discarded', 81600, 2400],
    ]);
    expect(rec.calls).toEqual(['paused@1600', 'resumed@80000']);
    session.onBinary(new Uint8Array(2));
    expect(rec.audio.at(-1)!.position).toBe(84000);
  });

  it('server-initiated pause and resume go through pausing and resuming', async () => {
    const { session, rec } = harness();
    session.onText(lines[0]!);
    await flush();
    session.pause();
    expect(session.state).toBe('pausing');
    session.onBinary(new Uint8Array(2)); // audio still in flight is accepted
    session.onText(lines[2]!.replace('"seq":3', '"seq":2'));
    expect(session.state).toBe('paused');
    session.resume();
    expect(session.state).toBe('resuming');
    expect(rec.sent.map((m) => m.type)).toEqual(['opened', 'pause', 'resume']);
    session.onText(lines[3]!.replace('"seq":4', '"seq":3'));
    expect(session.state).toBe('active');
  });

  it('runs the whole fixture session to closed, flushing before it answers', async () => {
    const { session, rec } = harness();
    session.onText(lines[0]!);
    await flush();
    for (const line of lines.slice(1)) session.onText(line);
    await flush();
    expect(session.state).toBe('closed');
    expect(rec.sent.map((m) => m.type)).toEqual(['opened', 'pong', 'updated', 'closed']);
    expect(rec.sent.at(-1)).toMatchObject({ seq: 4, clientseq: 8 });
    expect(rec.calls).toContain('update:es-MX');
    expect(rec.calls).toContain('error:429');
    expect(rec.calls.slice(-2)).toEqual(['close:end', 'ended:closed']);
  });

  it('recognises a connection probe', async () => {
    const { session, rec } = harness();
    session.onText(fixtureText('audiohook', 'probe-open.json'));
    await flush();
    expect(rec.opened?.probe).toBe(true);
    expect(rec.sent[0].type).toBe('opened');
  });

  it('disconnects unauthorized sessions and still answers their close', async () => {
    const { session, rec } = harness({ unauthorized: 'bad key' });
    session.onText(lines[0]!);
    await flush();
    expect(rec.sent[0]).toMatchObject({ type: 'disconnect', parameters: { reason: 'unauthorized', info: 'bad key' } });
    session.onText(lines.at(-1)!.replace('"seq":8', '"seq":2'));
    await flush();
    expect(rec.sent.map((m) => m.type)).toEqual(['disconnect', 'closed']);
  });

  it('answers protocol violations with disconnect(error): wrong seq, wrong id, audio before open, ragged frames', async () => {
    const cases: Array<(s: AudioHookServerSession) => void> = [
      (s) => s.onText(lines[1]!.replace('"seq":2', '"seq":5')),
      (s) => s.onText(lines[1]!.replace('1f35f7df-6a4c-4d0b-9b11-3c1f2a0e5d77', '11111111-6a4c-4d0b-9b11-3c1f2a0e5d77')),
      (s) => s.onBinary(new Uint8Array(3)),
      (s) => s.onText('{"not":"audiohook"}'),
      (s) => s.onText(lines[1]!.replace('"serverseq":1', '"serverseq":9')),
    ];
    for (const violate of cases) {
      const { session, rec } = harness({ sessionId: '1f35f7df-6a4c-4d0b-9b11-3c1f2a0e5d77' });
      session.onText(lines[0]!);
      await flush();
      violate(session);
      expect(rec.sent.at(-1)).toMatchObject({ type: 'disconnect', parameters: { reason: 'error' } });
      expect(session.state).toBe('disconnecting');
      expect(rec.calls.some((c) => c.startsWith('rejected:'))).toBe(true);
    }
    const { session, rec } = harness();
    session.onBinary(new Uint8Array(4));
    expect(rec.sent[0]).toMatchObject({ type: 'disconnect', parameters: { reason: 'error', info: 'audio received in state preparing' } });
  });

  it('opens with no media when nothing offered is usable, and with startPaused when asked', async () => {
    const open = JSON.parse(lines[0]!);
    open.parameters.media = [{ type: 'audio', format: 'OPUS', channels: ['external'], rate: 48000 }];
    const a = harness();
    a.session.onText(JSON.stringify(open));
    await flush();
    expect(a.rec.sent[0].parameters.media).toEqual([]);
    const b = harness({ startPaused: true });
    b.session.onText(lines[0]!);
    await flush();
    expect(b.session.state).toBe('paused');
    expect(b.rec.sent[0].parameters.startPaused).toBe(true);
  });

  it('a lost transport ends the session once', () => {
    const { session, rec } = harness();
    session.onTransportClosed();
    session.onTransportClosed();
    expect(rec.calls).toEqual(['ended:lost']);
  });
});
