import { ULAW_ENCODE } from '../../src/media/codecs/g711.js';
import { tone } from './audio.js';
import { Call, iso } from './call.js';
import { MediaClient, l16 } from './media-client.js';
import { postJson } from './server.js';

/**
 * A simple inbound call driven through the public interfaces: a customer `c` (μ-law, 8 kHz) and an
 * agent `a` (L16, 16 kHz) talking from 0 to `seconds`, each a tone of its own, sent in 20 ms
 * frames; then the recordings as the API lists them once they are finished.
 */

export interface SimpleCall {
  readonly conversationId: string;
  readonly seconds: number;
  readonly customerHz?: number;
  readonly agentHz?: number;
  /** Extra events after the call is set up (seconds from the start), e.g. consent. */
  readonly extra?: (call: Call) => Call;
}

export async function runSimpleCall(url: string, spec: SimpleCall): Promise<any[]> {
  const { conversationId, seconds } = spec;
  const call = new Call(conversationId).start(0, 'inbound').join(0, 'c', 'customer').join(0, 'a', 'agent').talk(0, 'c', 'a');
  spec.extra?.(call);
  const posted = await postJson(`${url}/api/v2/capstan/events`, call.inputs);
  if (posted.status !== 202) throw new Error(`events refused: ${await posted.text()}`);
  const media = await MediaClient.connect(url);
  await media.open(1, { conversationId, participantId: 'c', codec: 'PCMU', sampleRate: 8000, startAt: iso(0) });
  await media.open(2, { conversationId, participantId: 'a', codec: 'L16', sampleRate: 16000, startAt: iso(0) });
  const customer = tone(spec.customerHz ?? 440, 8000 * seconds, 8000);
  const agent = tone(spec.agentHz ?? 1000, 16000 * seconds, 16000);
  for (let i = 0; i < seconds * 50; i++) {
    media.frame(1, i, i * 160, Uint8Array.from(customer.subarray(i * 160, (i + 1) * 160), (s) => ULAW_ENCODE[s & 0xffff]!));
    media.frame(2, i, i * 320, l16(agent.subarray(i * 320, (i + 1) * 320)));
  }
  await media.close(1);
  await media.close(2);
  await media.end();
  const end = new Call(conversationId).leave(seconds, 'c').end(seconds).inputs.map((e, i) => ({ ...e, eventId: `${conversationId}-end-${i}` }));
  await postJson(`${url}/api/v2/capstan/events`, end);
  const res = await fetch(`${url}/api/v2/conversations/${conversationId}/recordings?maxWaitMs=15000`);
  if (res.status !== 200) throw new Error(`recordings not ready: ${res.status} ${await res.text()}`);
  return (await res.json()) as any[];
}
