import { XMLParser } from 'fast-xml-parser';

/**
 * RFC 7865 recording metadata: who the participants are and whose voice each stream carries.
 * Vendors differ (see test/fixtures/siprec/): the RFC namespace or the pre-RFC one, a default
 * namespace or a prefix, `participant_id` or `id` attributes, `<nameID aor>` or a bare `<aor>`,
 * missing stream associations. Elements are matched by local name; anything unexpected is skipped.
 */

export interface MetadataParticipant {
  readonly id: string;
  readonly aor: string | undefined;
  readonly name: string | undefined;
  /** Stream ids this participant sends (its voice). */
  readonly sends: readonly string[];
}

export interface MetadataStream {
  readonly id: string;
  readonly label: string | undefined;
}

export interface RecordingMetadata {
  readonly dataMode: 'complete' | 'partial' | undefined;
  readonly sessionId: string | undefined;
  readonly sipSessionId: string | undefined;
  readonly participants: readonly MetadataParticipant[];
  readonly streams: readonly MetadataStream[];
}

export const MAX_METADATA = 64 * 1024;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  maxNestedTags: 32,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

type Node = Record<string, unknown>;

const children = (node: unknown, name: string): Node[] => {
  if (!node || typeof node !== 'object') return [];
  const value = (node as Node)[name];
  return Array.isArray(value) ? (value.filter((v) => v !== null && v !== undefined) as Node[]) : [];
};
const text = (node: unknown): string | undefined => {
  if (typeof node === 'string') return node.trim() || undefined;
  if (node && typeof node === 'object') {
    const t = (node as Node)['#text'];
    if (typeof t === 'string') return t.trim() || undefined;
    if (Array.isArray(t)) return typeof t[0] === 'string' ? t[0].trim() || undefined : undefined;
  }
  return undefined;
};
const childText = (node: unknown, name: string) => text(children(node, name)[0]);
const attr = (node: Node, ...names: string[]): string | undefined => {
  for (const n of names) {
    const v = node[`@${n}`];
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  return undefined;
};

/** Parses a metadata document; undefined when it is not XML with a `<recording>` root. */
export function parseMetadata(xml: string): RecordingMetadata | undefined {
  if (xml.length > MAX_METADATA) return undefined;
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch {
    return undefined;
  }
  const recording = children(doc, 'recording')[0];
  if (!recording) return undefined;

  const sends = new Map<string, string[]>();
  for (const assoc of children(recording, 'participantstreamassoc')) {
    const participant = attr(assoc, 'participant_id', 'id', 'participant');
    if (!participant) continue;
    const list = sends.get(participant) ?? [];
    for (const s of children(assoc, 'send')) {
      const id = text(s);
      if (id) list.push(id);
    }
    sends.set(participant, list);
  }

  const participants: MetadataParticipant[] = [];
  for (const p of children(recording, 'participant').slice(0, 32)) {
    const id = attr(p, 'participant_id', 'id');
    if (!id) continue;
    const nameId = children(p, 'nameID')[0] ?? children(p, 'nameId')[0];
    const aor = (nameId && attr(nameId, 'aor')) ?? childText(p, 'aor') ?? attr(p, 'aor');
    const name = childText(nameId, 'name') ?? childText(p, 'name');
    // Pre-RFC drafts put the association inside the participant: <send>stream</send>.
    const inline = children(p, 'send').map(text).filter((s): s is string => s !== undefined);
    participants.push({ id, aor, name, sends: [...(sends.get(id) ?? []), ...inline] });
  }

  const streams: MetadataStream[] = children(recording, 'stream')
    .slice(0, 32)
    .map((s) => ({ id: attr(s, 'stream_id', 'id') ?? '', label: childText(s, 'label') ?? attr(s, 'label') }))
    .filter((s) => s.id !== '');

  const session = children(recording, 'session')[0];
  const mode = childText(recording, 'datamode');
  return {
    dataMode: mode === 'complete' || mode === 'partial' ? mode : undefined,
    sessionId: session ? attr(session, 'session_id', 'id') : undefined,
    sipSessionId: session ? childText(session, 'sipSessionID') : undefined,
    participants,
    streams,
  };
}
