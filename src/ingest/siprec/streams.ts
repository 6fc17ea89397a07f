import type { RecordingMetadata } from './metadata.js';
import { g711Of, type G711, type SessionDescription } from './sdp.js';

/**
 * Which party speaks on which offered stream. The metadata says it when it is complete (stream
 * label → stream id → the participant that `send`s it); vendors often leave the association out,
 * or send no metadata at all, and then streams are taken in m-line order: the first carries the
 * caller, the second the other party (the convention of the common SBCs). Streams beyond the
 * parties (an Oracle-style mixed third stream) are answered but not recorded.
 */

export type PartyRole = 'external' | 'internal';

export interface Party {
  /** Conversation participant id (the metadata id made safe, or the role). */
  readonly participantId: string;
  readonly role: PartyRole;
  readonly aor: string | undefined;
  readonly name: string | undefined;
}

export interface StreamAssignment {
  /** Index of the m-line in the offer. */
  readonly mediaIndex: number;
  readonly label: string | undefined;
  readonly codec: G711;
  readonly payloadType: number;
  /** The party whose voice the stream carries; undefined for a stream that is not recorded. */
  readonly party: Party | undefined;
}

export interface Assignment {
  readonly parties: readonly Party[];
  readonly streams: readonly StreamAssignment[];
}

const safeId = (raw: string) => raw.replace(/[^A-Za-z0-9._:@+-]/g, '_').slice(0, 100) || 'participant';

export function assignStreams(sdp: SessionDescription, metadata: RecordingMetadata | undefined): Assignment {
  const audio = sdp.media
    .map((m, mediaIndex) => ({ m, mediaIndex, g711: g711Of(m) }))
    .filter((s) => s.g711 !== undefined);
  const metaParticipants = metadata?.participants ?? [];
  const speakerOf = new Map<number, string>();
  if (metadata) {
    for (const s of audio) {
      const streamId = metadata.streams.find((ms) => s.m.label !== undefined && ms.label === s.m.label)?.id;
      const speaker = streamId && metaParticipants.find((p) => p.sends.includes(streamId));
      if (speaker) speakerOf.set(s.mediaIndex, speaker.id);
    }
  }
  // Metadata order: the first participant is the caller (external); without metadata, two roles.
  const candidates = metaParticipants.length
    ? metaParticipants.map((p, i) => ({ metaId: p.id, role: (i === 0 ? 'external' : 'internal') as PartyRole, aor: p.aor, name: p.name }))
    : (['external', 'internal'] as const).map((role) => ({ metaId: role, role, aor: undefined, name: undefined }));

  const unassigned = candidates.filter((c) => ![...speakerOf.values()].includes(c.metaId));
  const positional = new Map<number, string>();
  let next = 0;
  for (const s of audio) {
    if (speakerOf.has(s.mediaIndex)) continue;
    // Without any association, streams beyond two are mixes or extras: not attributed.
    if (speakerOf.size === 0 && positional.size >= 2) break;
    const candidate = unassigned[next++];
    if (!candidate) break;
    positional.set(s.mediaIndex, candidate.metaId);
  }

  const parties = new Map<string, Party>();
  const partyFor = (metaId: string): Party => {
    const known = parties.get(metaId);
    if (known) return known;
    const c = candidates.find((x) => x.metaId === metaId)!;
    const party: Party = { participantId: safeId(c.metaId), role: c.role, aor: c.aor, name: c.name };
    parties.set(metaId, party);
    return party;
  };
  const streams = audio.map((s) => {
    const speaker = speakerOf.get(s.mediaIndex) ?? positional.get(s.mediaIndex);
    return {
      mediaIndex: s.mediaIndex,
      label: s.m.label,
      codec: s.g711!.codec,
      payloadType: s.g711!.payloadType,
      party: speaker === undefined ? undefined : partyFor(speaker),
    };
  });
  // A party with two streams (a re-used label, a misconfigured SBC) records the first only.
  const seen = new Set<Party>();
  const unique = streams.map((s) => {
    if (!s.party || !seen.has(s.party)) {
      if (s.party) seen.add(s.party);
      return s;
    }
    return { ...s, party: undefined };
  });
  return { parties: [...parties.values()], streams: unique };
}

/** The user part of a SIP AOR (`sip:agent42@cc.example.com` → `agent42`), made safe as an id. */
export function aorUser(aor: string | undefined): string | undefined {
  const m = /^(?:sips?:|tel:)?([^@;>]+)/i.exec(aor ?? '');
  return m ? safeId(m[1]!) : undefined;
}
