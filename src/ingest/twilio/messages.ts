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
  const parsed = twilioMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `invalid message: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown'}` };
  }
  return { ok: true, message: parsed.data };
}
