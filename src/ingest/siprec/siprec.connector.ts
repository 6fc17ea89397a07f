import type { Logger } from 'pino';
import type { MediaIngest, SourceSink } from '../../media/source.js';
import { TrunkCall, type CallParty, type TrunkCallDeps } from '../trunk-call.js';
import type { RecordingMetadata } from './metadata.js';
import { SrsRefusal, type SrsCallInfo, type SrsCallSink, type SrsRecorder } from './srs-session.js';
import { aorUser, type Party, type StreamAssignment } from './streams.js';

/**
 * The glue between the SIPREC server and Capstan's core: each recording session becomes a
 * trunk-side conversation (the external party as the customer, the others as agents), and each
 * attributed stream a source. A pause of every stream is a secure pause; a pause of one stream is
 * a gap on its source.
 */

export interface SiprecRouting {
  readonly orgId: string;
  readonly trunkId: string;
  readonly region: string | undefined;
}

const RATE = 8000;

export class SiprecRecorder implements SrsRecorder {
  constructor(
    private readonly deps: TrunkCallDeps & { readonly media: MediaIngest },
    private readonly routing: SiprecRouting,
    private readonly logger: Logger,
  ) {}

  async begin(info: SrsCallInfo): Promise<SrsCallSink> {
    const parties = info.assignment.parties.map(toCallParty);
    const customer = info.assignment.parties.find((p) => p.role === 'external');
    const agent = info.assignment.parties.find((p) => p.role === 'internal');
    let call: TrunkCall;
    try {
      call = await TrunkCall.start(this.deps, {
        orgId: this.routing.orgId,
        conversationId: `siprec-${info.recordingId}`,
        connector: 'siprec',
        trunkId: this.routing.trunkId,
        region: this.routing.region,
        direction: 'inbound',
        ani: aorUser(customer?.aor),
        dnis: aorUser(agent?.aor),
        parties,
      });
    } catch (err) {
      this.logger.error({ err, callId: info.callId }, 'siprec: the conversation could not be started');
      throw new SrsRefusal(500, 'conversation could not be started');
    }
    const sinks = new Map<StreamAssignment, SourceSink>();
    try {
      for (const stream of info.assignment.streams) {
        if (!stream.party) continue;
        sinks.set(stream, await call.openSource(stream.party.participantId, stream.codec, RATE, info.startedAtMs));
      }
    } catch (err) {
      await call.end().catch(() => undefined);
      this.logger.error({ err, callId: info.callId }, 'siprec: sources could not be opened');
      throw new SrsRefusal(503, 'media ingest refused the sources');
    }
    const paused = new Set<StreamAssignment>();
    const recorded = [...sinks.keys()];
    const atSamples = (samples: number) => info.startedAtMs + Math.round((samples * 1000) / RATE);
    const report = (what: string) => (err: unknown) => this.logger.warn({ err, callId: info.callId }, `siprec: ${what} failed`);
    return {
      frame: (stream, frame) => sinks.get(stream)?.push(frame),
      pause: (stream, at) => {
        paused.add(stream);
        if (recorded.every((s) => paused.has(s))) void call.pause(atSamples(at)).catch(report('pause'));
      },
      resume: (stream, from, samples) => {
        const wasAllPaused = recorded.every((s) => paused.has(s));
        paused.delete(stream);
        if (samples > 0) sinks.get(stream)?.gap(from, samples, 'Pause');
        if (wasAllPaused) void call.resume(atSamples(from + samples)).catch(report('resume'));
      },
      metadata: (metadata: RecordingMetadata) => {
        this.logger.info({ callId: info.callId, participants: metadata.participants.length, dataMode: metadata.dataMode }, 'siprec: metadata update');
      },
      end: async (reason, atMs) => {
        this.logger.info({ callId: info.callId, reason }, 'siprec: recording ends');
        await call.end(atMs);
      },
    };
  }
}

function toCallParty(party: Party): CallParty {
  if (party.role === 'external') return { participantId: party.participantId, purpose: 'customer', name: party.name, address: party.aor };
  return { participantId: party.participantId, purpose: 'agent', userId: aorUser(party.aor) ?? party.participantId, name: party.name, address: party.aor };
}
