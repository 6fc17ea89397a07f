import { z } from 'zod';

/**
 * Twilio Media Streams messages (JSON text frames). Twilio writes `sequenceNumber`, `chunk` and
 * `timestamp` as strings; clones (Telnyx, SignalWire) sometimes send numbers, so both are taken.
 */

const counter = z.union([z.string().regex(/^\d{1,15}$/), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]).transform(Number);
const sid = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);

export const TRACKS = ['inbound', 'outbound'] as const;
export type Track = (typeof TRACKS)[number];

const trackName = z.string().transform((t) => t.replace(/_track$/, '')).pipe(z.enum(TRACKS));

const connected = z.object({ event: z.literal('connected'), protocol: z.string().max(32).optional(), version: z.string().max(32).optional() });
const start = z.object({
  event: z.literal('start'),
  sequenceNumber: counter.optional(),
  streamSid: sid.optional(),
  start: z.object({
    streamSid: sid,
    accountSid: sid,
    callSid: sid,
    tracks: z.array(trackName).min(1).max(2),
    customParameters: z.record(z.string().max(128), z.string().max(1024)).optional().default({}),
    mediaFormat: z.object({
      encoding: z.string().max(32),
      sampleRate: z.number().int(),
      channels: z.number().int(),
    }),
  }),
});
const media = z.object({
  event: z.literal('media'),
  sequenceNumber: counter.optional(),
  streamSid: sid.optional(),
  media: z.object({
    track: trackName,
    chunk: counter,
    timestamp: counter,
    payload: z.string().max(96 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
  }),
});
const stop = z.object({
  event: z.literal('stop'),
  sequenceNumber: counter.optional(),
  streamSid: sid.optional(),
  stop: z.object({ accountSid: sid.optional(), callSid: sid.optional() }).optional(),
});
const other = z.object({ event: z.enum(['mark', 'dtmf']), streamSid: sid.optional() });

export const twilioMessageSchema = z.discriminatedUnion('event', [connected, start, media, stop, other]);
export type TwilioMessage = z.infer<typeof twilioMessageSchema>;
export type TwilioStart = z.infer<typeof start>['start'];

export const MAX_TWILIO_FRAME = 128 * 1024;

export type TwilioParse = { ok: true; message: TwilioMessage } | { ok: false; reason: string };

export function parseTwilioMessage(text: string): TwilioParse {
  if (text.length > MAX_TWILIO_FRAME) return { ok: false, reason: `frame of ${text.length} characters is too large` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'frame is not JSON' };
  }
  const fast = mediaFastPath(json);
  if (fast) return { ok: true, message: fast };
  const parsed = twilioMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `invalid message: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown'}` };
  }
  return { ok: true, message: parsed.data };
}

const DIGITS = /^\d{1,15}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SID = /^[A-Za-z0-9_-]{1,64}$/;
const counterOf = (v: unknown) => (typeof v === 'string' && DIGITS.test(v) ? Number(v) : Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : undefined);

/**
 * `media` is nearly every message of a stream (50 per second per track): checked by hand, with
 * exactly the rules of the schema, so the schema's generality is paid only for the rare ones.
 * Anything unusual falls through to the schema (and its error message).
 */
function mediaFastPath(json: unknown): Extract<TwilioMessage, { event: 'media' }> | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const m = json as Record<string, unknown>;
  if (m.event !== 'media' || typeof m.media !== 'object' || m.media === null) return undefined;
  if (Object.keys(m).some((k) => k !== 'event' && k !== 'media' && k !== 'sequenceNumber' && k !== 'streamSid')) return undefined;
  const media = m.media as Record<string, unknown>;
  const track = typeof media.track === 'string' ? media.track.replace(/_track$/, '') : undefined;
  const chunk = counterOf(media.chunk);
  const timestamp = counterOf(media.timestamp);
  const sequenceNumber = m.sequenceNumber === undefined ? undefined : counterOf(m.sequenceNumber);
  const payload = media.payload;
  if ((track !== 'inbound' && track !== 'outbound') || chunk === undefined || timestamp === undefined) return undefined;
  if (m.sequenceNumber !== undefined && sequenceNumber === undefined) return undefined;
  if (m.streamSid !== undefined && (typeof m.streamSid !== 'string' || !SID.test(m.streamSid))) return undefined;
  if (typeof payload !== 'string' || payload.length > 96 * 1024 || !BASE64.test(payload)) return undefined;
  return {
    event: 'media',
    ...(sequenceNumber === undefined ? {} : { sequenceNumber }),
    ...(m.streamSid === undefined ? {} : { streamSid: m.streamSid as string }),
    media: { track, chunk, timestamp, payload },
  };
}
