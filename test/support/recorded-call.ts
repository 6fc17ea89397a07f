import type { Services } from '../../src/services/index.js';
import { DEFAULT_ORG_ID } from '../../src/services/index.js';
import type { RecordingView } from '../../src/services/recordings.service.js';
import { tone } from './audio.js';
import { T0, type Call } from './call.js';

/**
 * Records a call through the real media pipeline, in this process: the call's events go in,
 * each participant says a tone of its own over the stretch given, then the call ends and its
 * recordings are finished. Needs `services.media.start()` first.
 */

export interface Voice {
  readonly participantId: string;
  readonly fromSec: number;
  readonly toSec: number;
  /** The tone this participant speaks, in Hz. */
  readonly hz: number;
}

const RATE = 8000;
const FRAME = 160;

export async function recordCall(services: Services, call: Call, voices: readonly Voice[]): Promise<RecordingView[]> {
  const ending = call.inputs.filter((e) => e.type === 'conversation.ended');
  await services.conversations.ingest(DEFAULT_ORG_ID, call.inputs.filter((e) => e.type !== 'conversation.ended'));
  for (const voice of voices) {
    const sink = await services.media.open({
      orgId: DEFAULT_ORG_ID,
      conversationId: call.conversationId,
      participantId: voice.participantId,
      codec: 'L16',
      sampleRate: RATE,
      startAtMs: T0 + voice.fromSec * 1000,
      connector: 'native',
    });
    const pcm = tone(voice.hz, Math.round((voice.toSec - voice.fromSec) * RATE), RATE);
    for (let i = 0; i * FRAME < pcm.length; i++) {
      const frame = pcm.slice(i * FRAME, (i + 1) * FRAME);
      sink.push({ seq: i, timestamp: i * FRAME, payload: new Uint8Array(frame.buffer) });
    }
    sink.close();
  }
  await services.conversations.ingest(DEFAULT_ORG_ID, ending);
  const { ready, recordings } = await services.recordings.list(DEFAULT_ORG_ID, call.conversationId, 20_000);
  if (!ready) throw new Error(`the recordings of ${call.conversationId} were not finished in time`);
  return recordings;
}
