import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AUDIO_FORMATS, type AudioFormat } from '../../domain/telephony.js';
import { servedWavHeader } from '../../media/body-format.js';
import type { Services } from '../../services/index.js';
import type { RecordingGrant } from '../../services/access.service.js';
import type { RecordingView } from '../../services/recordings.service.js';
import type { LifecycleRecord } from '../../store/repositories/lifecycle.repository.js';
import type { Annotation } from '../../store/repositories/recording-media.repository.js';
import type { RecordingRow } from '../../store/repositories/recordings.repository.js';
import { notFound } from '../errors.js';
import { iso } from '../query.js';
import { credentialsOf } from '../auth.js';
import { WithStatus, callerOf, route, type Principal } from '../route.js';

/**
 * The reference recording API (shared/reference/genesys-recording-api.md, section 2.1) for call
 * recordings, plus Capstan's signed playback URL. Listings answer 202 while a recording is still
 * being written after `maxWaitMs`.
 */

/**
 * Recording routes are open to anyone signed in and decide per recording (src/domain/access):
 * the reference's view permissions are not the only way in — the owner of an ad-hoc recording,
 * the agent who captured a snippet, an assigned evaluator and an agent reviewing an evaluation of
 * themselves hold none of them.
 */
const PER_RECORDING = 'authenticated' as const;
const params = z.object({ conversationId: z.string().min(1).max(128) });
const oneParams = params.extend({ recordingId: z.string().min(1).max(128) });
/** Formats the reference knows; those Capstan does not produce fall back to the stored format. */
const formatId = z.enum(['WAV', 'WEBM', 'WAV_ULAW', 'OGG_VORBIS', 'OGG_OPUS', 'MP3', 'NONE']).optional();
const listQuery = z.object({
  maxWaitMs: z.coerce.number().int().min(0).max(60_000).default(5000),
  formatId,
  mediaFormats: z.string().max(200).optional(),
  locale: z.string().max(16).optional(),
  includePauseAnnotationsForScreenRecordings: z.string().optional(),
});
const oneQuery = listQuery.extend({ download: z.string().optional(), fileName: z.string().max(200).optional() });

const SUBTYPE: Record<string, string | null> = { trunk: 'Trunk', station: 'Station', consult: 'Consult', snippet: 'Snippet', screen: 'Screen', adhoc: null };

export const recordingRoutes = [
  route({
    method: 'GET',
    url: '/api/v2/conversations/:conversationId/recordings',
    summary: "A conversation's recordings, with playback URLs once they are finished",
    tags: ['recordings'],
    access: PER_RECORDING,
    params,
    query: listQuery,
    async handler(ctx) {
      const { params, query, principal, services, request } = ctx;
      await requireConversation(services, principal, params.conversationId);
      const { ready, recordings } = await services.recordings.list(principal.orgId, params.conversationId, query.maxWaitMs);
      const lifecycle = await lifecycleOf(services, principal.orgId, params.conversationId);
      const render = { services, principal, formatId: query.formatId, base: baseUrl(services, request), purpose: 'play' as const };
      const body = await Promise.all((await viewable(ctx, recordings)).map(({ view, grant }) => renderRecording(view, grant, render, lifecycle.get(view.row.id))));
      return ready ? body : new WithStatus(202, body);
    },
  }),

  route({
    method: 'GET',
    url: '/api/v2/conversations/:conversationId/recordings/:recordingId',
    summary: 'One recording, with its playback URL once it is finished',
    tags: ['recordings'],
    access: PER_RECORDING,
    params: oneParams,
    query: oneQuery,
    async handler(ctx) {
      const { params, query, principal, services, request } = ctx;
      const found = await services.recordings.get(principal.orgId, params.conversationId, params.recordingId, query.maxWaitMs);
      if (!found) throw notFound('recording', params.recordingId);
      const download = query.download === 'true';
      const grant = await services.access.authorizeRecording(callerOf(ctx), found.row, download ? 'Download' : 'View');
      const lifecycle = await lifecycleOf(services, principal.orgId, params.conversationId);
      const render = { services, principal, formatId: query.formatId, base: baseUrl(services, request), purpose: download ? ('download' as const) : ('play' as const) };
      const body = await renderRecording(found, grant, render, lifecycle.get(found.row.id));
      return found.row.media.state === 'AVAILABLE' || found.row.media.state === 'ERROR' ? body : new WithStatus(202, body);
    },
  }),

  route({
    method: 'GET',
    url: '/api/v2/conversations/:conversationId/recordingmetadata',
    summary: "A conversation's recordings without media (no system annotations)",
    tags: ['recordings'],
    access: PER_RECORDING,
    params,
    async handler(ctx) {
      const { params, principal, services } = ctx;
      await requireConversation(services, principal, params.conversationId);
      const { recordings } = await services.recordings.list(principal.orgId, params.conversationId, 0);
      const lifecycle = await lifecycleOf(services, principal.orgId, params.conversationId);
      return (await viewable(ctx, recordings)).map(({ view, grant }) => renderMetadata(view, grant, lifecycle.get(view.row.id)));
    },
  }),

  route({
    method: 'GET',
    url: '/api/v2/conversations/:conversationId/recordingmetadata/:recordingId',
    summary: "One recording's metadata, without media",
    tags: ['recordings'],
    access: PER_RECORDING,
    params: oneParams,
    async handler(ctx) {
      const { params, principal, services } = ctx;
      const found = await services.recordings.get(principal.orgId, params.conversationId, params.recordingId);
      if (!found) throw notFound('recording', params.recordingId);
      const grant = await services.access.authorizeRecording(callerOf(ctx), found.row, 'View');
      return renderMetadata(found, grant, (await lifecycleOf(services, principal.orgId, params.conversationId)).get(found.row.id));
    },
  }),

  route({
    method: 'GET',
    url: '/api/v2/capstan/recordings/:recordingId/media',
    summary: 'Decrypted audio of a recording, by the signed URL in its mediaUris (HTTP Range supported)',
    tags: ['recordings'],
    // The signature is the credential: the URL names the viewer it was made for, whose access is checked again on every play.
    access: 'public',
    params: z.object({ recordingId: z.string().min(1).max(128) }),
    query: z.object({
      org: z.string().min(1).max(128),
      format: z.enum(AUDIO_FORMATS),
      expires: z.coerce.number().int().min(0),
      viewer: z.string().max(256),
      purpose: z.enum(['play', 'download']),
      signature: z.string().min(1).max(128),
    }),
    async handler({ params, query, services, request, reply }) {
      const credentials = credentialsOf(request);
      const presenter = credentials ? await services.auth.authenticate(credentials.kind, credentials.token) : undefined;
      const served = await services.recordings.play(
        { recordingId: params.recordingId, orgId: query.org, format: query.format, expires: query.expires, viewer: query.viewer, purpose: query.purpose },
        query.signature,
        request.headers.range,
        { remoteIp: request.ip, ...(presenter ? { presenter } : {}) },
      );
      reply.hijack();
      reply.raw.writeHead(served.status, { ...served.headers, 'inin-correlation-id': request.id });
      if (!served.body || request.method === 'HEAD') return void reply.raw.end();
      try {
        await pipeline(Readable.from(served.body), reply.raw);
      } catch (err) {
        // Headers are gone: a chunk that fails to authenticate ends the response short, never with wrong bytes.
        request.log.error({ err, recordingId: params.recordingId }, 'playback stopped');
        reply.raw.destroy();
      }
    },
  }),
];

export interface RenderContext {
  readonly services: Services;
  readonly principal: Principal;
  readonly formatId: string | undefined;
  readonly base: string;
  readonly purpose: 'play' | 'download';
}

/** The recordings of a listing the caller may see (each audited as viewed), with what they may do. */
async function viewable(ctx: { principal: Principal; request: FastifyRequest; services: Services }, views: readonly RecordingView[]) {
  const byId = new Map(views.map((v) => [v.row.id, v]));
  const allowed = await ctx.services.access.viewable(callerOf(ctx), views.map((v) => v.row));
  return allowed.map(({ recording, grant }) => ({ view: byId.get(recording.id)!, grant }));
}

/** How the caller may use the recording: why they may, whether they may download, and what is withheld from them. */
function renderAccess(grant: RecordingGrant, durationMs: number | null) {
  const end = (ms: number) => (ms === Number.POSITIVE_INFINITY ? durationMs : ms);
  return {
    basis: grant.access.basis,
    download: grant.access.download,
    ...(grant.segments
      ? {
          segments: {
            permitted: grant.segments.permitted.map((p) => ({ recordingLocation: p.startMs, recordingEnd: end(p.endMs) })),
            withheld: grant.segments.withheld.map((w) => ({
              startTime: iso(w.fromMs),
              endTime: w.toMs === Number.POSITIVE_INFINITY ? null : iso(w.toMs),
              recordingLocation: w.startMs,
              recordingDurationMs: w.endMs === Number.POSITIVE_INFINITY ? null : w.endMs - w.startMs,
              queueId: w.queueId,
            })),
          },
        }
      : {}),
  };
}

async function requireConversation(services: Services, principal: Principal, conversationId: string) {
  if (!(await services.conversations.exists(principal.orgId, conversationId))) throw notFound('conversation', conversationId);
}

export function baseUrl(services: Services, request: { protocol: string; headers: { host?: string } }): string {
  return services.config.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.headers.host ?? 'localhost'}`;
}

/** The retention lifecycle of a conversation's recordings (those evaluated so far), by recording id. */
export async function lifecycleOf(services: Services, orgId: string, conversationId: string): Promise<Map<string, LifecycleRecord>> {
  return new Map((await services.retention.lifecycle.forConversations(orgId, [conversationId])).map((r) => [r.recordingId, r]));
}

/** The media's state, unless the lifecycle has moved it: archived, restoring, restored or deleted. */
function fileState(row: RecordingRow, lifecycle: LifecycleRecord | undefined): string {
  if (lifecycle && lifecycle.fileState !== 'AVAILABLE') return lifecycle.fileState === 'DELETING' ? 'DELETED' : lifecycle.fileState;
  return row.media.state === 'AVAILABLE' ? 'AVAILABLE' : row.media.state === 'ERROR' ? 'ERROR' : 'UPLOADING';
}

/** Where the lifecycle has the recording, and when it acts on it (the reference's retention fields). */
function retentionFields(lifecycle: LifecycleRecord | undefined) {
  return {
    archiveDate: iso(lifecycle?.archiveAtMs),
    ...(lifecycle?.archiveAtMs ? { archiveMedium: 'CLOUDARCHIVE' } : {}),
    deleteDate: iso(lifecycle?.deleteAtMs),
    exportDate: iso(lifecycle?.exportAtMs),
    exportedDate: iso(lifecycle?.exportedAtMs),
    ...(lifecycle?.restoreUntilMs ? { restoreExpirationTime: iso(lifecycle.restoreUntilMs) } : {}),
    maxAllowedRestorationsForOrg: 10000,
    remainingRestorationsAllowedForOrg: 10000,
  };
}

/** Bytes of the file as served in its stored format (WAV formats get their header). */
function servedSize(row: RecordingRow): number | null {
  const m = row.media;
  if (m.bodyBytes === null || !m.format || !m.channels || !m.sampleRate) return null;
  if (m.format === 'OGG_OPUS') return m.bodyBytes;
  return servedWavHeader({ format: m.format, channels: m.channels as 1 | 2, sampleRate: m.sampleRate as 8000 | 16000 }, m.bodyBytes).length + m.bodyBytes;
}

export function renderAnnotation(a: Annotation, row: RecordingRow) {
  return {
    id: a.id,
    name: a.name,
    type: a.type,
    reason: a.reason,
    ...(a.description !== null ? { description: a.description } : {}),
    ...(a.userId ? { user: { id: a.userId, selfUri: `/api/v2/users/${encodeURIComponent(a.userId)}` } } : {}),
    location: a.locationMs,
    durationMs: a.realtimeDurationMs,
    absoluteLocation: a.locationMs,
    absoluteDurationMs: a.durationMs,
    recordingLocation: a.locationMs,
    recordingDurationMs: a.durationMs,
    realtimeLocation: a.realtimeLocationMs,
    realtimeDurationMs: a.realtimeDurationMs,
    selfUri: `/api/v2/conversations/${encodeURIComponent(row.conversationId)}/recordings/${row.id}/annotations/${a.id}`,
  };
}

function renderMetadata({ row, annotations }: RecordingView, grant: RecordingGrant, lifecycle: LifecycleRecord | undefined) {
  return {
    id: row.id,
    conversationId: row.conversationId,
    startTime: iso(row.startedAtMs),
    endTime: iso(row.stoppedAtMs),
    media: 'audio',
    mediaSubtype: SUBTYPE[row.kind] ?? null,
    annotations: row.media.state === 'AVAILABLE' ? annotations.filter((a) => !a.system).map((a) => renderAnnotation(a, row)) : [],
    fileState: fileState(row, lifecycle),
    ...retentionFields(lifecycle),
    ...(row.region ? { region: row.region } : {}),
    selfUri: `/api/v2/conversations/${encodeURIComponent(row.conversationId)}/recordingmetadata/${row.id}`,
    capstan: { access: renderAccess(grant, row.media.durationMs) },
  };
}

export async function renderRecording({ row, annotations }: RecordingView, grant: RecordingGrant, ctx: RenderContext, lifecycle: LifecycleRecord | undefined) {
  // Archived media must be restored before it can be played.
  const available = row.media.state === 'AVAILABLE' && (!lifecycle || lifecycle.fileState === 'AVAILABLE' || lifecycle.fileState === 'RESTORED');
  const stored = row.media.format ?? row.audio?.format ?? 'WAV_ULAW';
  // Silencing withheld segments needs decoded audio: segment-limited listeners get PCM16 WAV.
  const served: AudioFormat = ctx.formatId === 'WAV' || grant.segments ? 'WAV' : stored;
  const uri = available ? `${ctx.base}${await ctx.services.recordings.playbackPath(row, served, ctx.principal, ctx.purpose)}` : null;
  return {
    id: row.id,
    conversationId: row.conversationId,
    startTime: iso(row.startedAtMs),
    endTime: iso(row.stoppedAtMs),
    media: 'audio',
    mediaSubtype: SUBTYPE[row.kind] ?? null,
    annotations: annotations.map((a) => renderAnnotation(a, row)),
    fileState: fileState(row, lifecycle),
    mediaUris: uri ? { S: { mediaUri: uri, waveformData: [] } } : null,
    ...retentionFields(lifecycle),
    outputDurationMs: available ? row.media.durationMs : null,
    outputSizeInBytes: available ? servedSize(row) : null,
    recordingFileRole: row.fileRole,
    selfUri: `/api/v2/conversations/${encodeURIComponent(row.conversationId)}/recordings/${row.id}`,
    capstan: {
      kind: row.kind,
      planKey: row.planKey,
      participantId: row.participantId,
      userId: row.userId,
      channels: row.channels,
      format: stored,
      dualChannel: row.audio?.dualChannel ?? true,
      sampleRate: row.audio?.sampleRate ?? null,
      region: row.region,
      beepTone: row.audio?.beepTone ?? false,
      mediaState: row.media.state,
      partial: row.media.partial,
      health: row.media.health,
      access: renderAccess(grant, available ? row.media.durationMs : null),
      retention: lifecycle
        ? { protected: lifecycle.protected, rule: lifecycle.decision?.rule ?? null, selfUri: `/api/v2/capstan/recordings/${row.id}/retention` }
        : null,
    },
  };
}
