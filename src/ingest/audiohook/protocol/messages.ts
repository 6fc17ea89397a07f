import { z } from 'zod';

/**
 * AudioHook protocol v2 messages (the Genesys Cloud side is the client, Capstan the server). Every
 * text frame is one JSON envelope; client messages carry `serverseq` and `position`, server
 * messages `clientseq`.
 */

export const MEDIA_CHANNELS = ['external', 'internal'] as const;
export type MediaChannel = (typeof MEDIA_CHANNELS)[number];
export type MediaFormat = 'PCMU' | 'L16';

const UUID = /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const uuid = z.string().regex(UUID, 'must be a UUID');
const DURATION = /^PT(\d{1,9}(?:\.\d{1,9})?)S$/;
export const durationSchema = z.string().regex(DURATION, 'must be an ISO-8601 duration PT<seconds>S');
const seq = z.number().int().min(0).max(2 ** 53 - 1);

/** Milliseconds in a `PT<seconds>S` duration (already validated). */
export function durationMs(duration: string): number {
  return Math.round(Number(DURATION.exec(duration)![1]) * 1000);
}

/** Samples at `rate` in a `PT<seconds>S` duration, rounded to the nearest sample. */
export function durationSamples(duration: string, rate: number): number {
  return Math.round(Number(DURATION.exec(duration)![1]) * rate);
}

export function formatDuration(samples: number, rate: number): string {
  return `PT${Number((samples / rate).toFixed(6))}S`;
}

export const mediaOfferSchema = z.object({
  type: z.literal('audio'),
  format: z.enum(['PCMU', 'L16']),
  channels: z.array(z.enum(MEDIA_CHANNELS)).min(1).max(2),
  rate: z.number().int().positive(),
});
export type MediaOffer = z.infer<typeof mediaOfferSchema>;

const shortText = z.string().max(256);

export const openParametersSchema = z.object({
  organizationId: uuid,
  conversationId: uuid,
  participant: z.object({
    id: uuid,
    ani: shortText.optional().default(''),
    aniName: shortText.optional().default(''),
    dnis: shortText.optional().default(''),
  }),
  media: z.array(z.unknown()).max(32),
  language: z.string().max(32).optional(),
  supportedLanguages: z.boolean().optional(),
  continuedSessions: z
    .array(z.object({ id: uuid, serverseq: seq, clientseq: seq }))
    .max(32)
    .optional(),
  customConfig: z.record(z.string(), z.unknown()).optional(),
});
export type OpenParameters = z.infer<typeof openParametersSchema>;

const gap = z.object({ start: durationSchema, discarded: durationSchema });

const parameterSchemas = {
  open: openParametersSchema,
  ping: z.object({ rtt: durationSchema.optional() }),
  update: z.object({ language: z.string().max(32).optional() }),
  paused: z.object({}),
  resumed: gap,
  discarded: gap,
  error: z.object({
    // The protocol lists 400…503; any 4xx/5xx is taken, since the message is informational.
    code: z.number().int().min(400).max(599),
    message: z.string().max(4096),
    retryAfter: durationSchema.optional(),
  }),
  close: z.object({ reason: z.enum(['end', 'error', 'disconnect', 'reconnect']) }),
} as const;

export type ClientMessageType = keyof typeof parameterSchemas;
export const CLIENT_MESSAGE_TYPES = Object.keys(parameterSchemas) as ClientMessageType[];

export type ClientMessage = {
  [T in ClientMessageType]: {
    version: '2';
    id: string;
    type: T;
    seq: number;
    serverseq: number;
    position: string;
    parameters: z.infer<(typeof parameterSchemas)[T]>;
  };
}[ClientMessageType];

export type ClientMessageOf<T extends ClientMessageType> = Extract<ClientMessage, { type: T }>;

const envelopeSchema = z.object({
  version: z.literal('2'),
  id: uuid,
  type: z.string().max(32),
  seq: seq.min(1),
  serverseq: seq,
  position: durationSchema,
  parameters: z.record(z.string(), z.unknown()),
});

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; reason: string; id?: string };

/** Largest text frame a session accepts; an `open` with every optional field stays far below. */
export const MAX_TEXT_FRAME = 64 * 1024;

/** Parses one text frame from the client. Never throws. */
export function parseClientMessage(text: string): ParseResult {
  if (text.length > MAX_TEXT_FRAME) return { ok: false, reason: `text frame of ${text.length} characters is over ${MAX_TEXT_FRAME}` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'text frame is not JSON' };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, reason: `invalid message: ${describe(envelope.error)}` };
  const { type } = envelope.data;
  if (!(CLIENT_MESSAGE_TYPES as string[]).includes(type)) return { ok: false, reason: `unknown message type "${type}"`, id: envelope.data.id };
  const parameters = parameterSchemas[type as ClientMessageType].safeParse(envelope.data.parameters);
  if (!parameters.success) return { ok: false, reason: `invalid ${type} parameters: ${describe(parameters.error)}`, id: envelope.data.id };
  return { ok: true, message: { ...envelope.data, type, parameters: parameters.data } as ClientMessage };
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** A media offer Capstan can record: 8 kHz PCMU or L16, one or two distinct channels. */
export function usableOffer(offer: unknown): MediaOffer | undefined {
  const parsed = mediaOfferSchema.safeParse(offer);
  if (!parsed.success) return undefined;
  const { channels, rate } = parsed.data;
  if (rate !== 8000 && rate !== 16000) return undefined;
  if (new Set(channels).size !== channels.length) return undefined;
  return parsed.data;
}

export type DisconnectReason = 'completed' | 'unauthorized' | 'error';

export interface ServerMessage {
  version: '2';
  id: string;
  type: 'opened' | 'pong' | 'pause' | 'resume' | 'updated' | 'closed' | 'disconnect' | 'reconnect';
  seq: number;
  clientseq: number;
  parameters: Record<string, unknown>;
}
