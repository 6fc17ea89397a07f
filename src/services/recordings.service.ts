import type { Logger } from 'pino';
import type { KeyProvider } from '../crypto/key-provider.js';
import type { UrlSigner } from '../crypto/url-signer.js';
import { AccessDenied } from '../domain/access/errors.js';
import type { Principal } from '../domain/access/principal.js';
import { DomainError } from '../domain/errors.js';
import type { AudioFormat } from '../domain/telephony.js';
import type { BodyShape } from '../media/body-format.js';
import { EncryptedObjectReader } from '../media/encrypted-object.js';
import { representation, silenced } from '../media/playback.js';
import type { BlobStore } from '../store/blob.store.js';
import type { Clock } from '../store/clock.js';
import type { OrganizationsRepository } from '../store/repositories/organizations.repository.js';
import type { Annotation, RecordingMediaRepository } from '../store/repositories/recording-media.repository.js';
import type { RecordingRow, RecordingsRepository } from '../store/repositories/recordings.repository.js';
import type { AccessService } from './access.service.js';
import type { AuthService } from './auth.service.js';
import type { MediaService } from './media.service.js';

/**
 * Recordings as listeners see them: the conversation's audio recordings (never the ones the plan
 * discarded), their annotations, and short-lived signed playback URLs that serve the decrypted
 * audio with HTTP Range.
 */

export interface RecordingView {
  readonly row: RecordingRow;
  readonly annotations: readonly Annotation[];
}

export interface PlaybackGrant {
  readonly recordingId: string;
  readonly orgId: string;
  readonly format: AudioFormat;
  /** Epoch seconds. */
  readonly expires: number;
  /** Who the URL was made for (AuthService.viewerRef): access is checked again for them on every play. */
  readonly viewer: string;
  /** A download URL serves the file as an attachment and is audited as a download. */
  readonly purpose: 'play' | 'download';
}

/** Who is playing: where from, and whoever the request's own credentials (if any) say it is. */
export interface Listener {
  readonly remoteIp?: string;
  readonly presenter?: Principal;
}

export interface Served {
  readonly status: 200 | 206 | 416;
  readonly headers: Record<string, string>;
  readonly body?: AsyncIterable<Buffer>;
}

export interface RecordingsServiceDeps {
  readonly recordings: RecordingsRepository;
  readonly media: RecordingMediaRepository;
  readonly live: MediaService;
  readonly organizations: OrganizationsRepository;
  readonly blobs: BlobStore;
  readonly keys: KeyProvider;
  readonly signer: UrlSigner;
  readonly access: AccessService;
  readonly auth: AuthService;
  readonly clock: Clock;
  readonly logger: Logger;
}

const settled = (r: RecordingRow) => r.media.state === 'AVAILABLE' || r.media.state === 'ERROR';

export class RecordingsService {
  constructor(private readonly deps: RecordingsServiceDeps) {}

  /**
   * The conversation's recordings, waiting up to `maxWaitMs` for those still being written to be
   * finished (the reference API's `maxWaitMs`). `ready` says whether every one is.
   */
  async list(orgId: string, conversationId: string, maxWaitMs = 0): Promise<{ ready: boolean; recordings: RecordingView[] }> {
    const deadline = this.deps.clock.now() + maxWaitMs;
    for (;;) {
      const wait = this.deps.live.changed(orgId, conversationId, Math.max(0, deadline - this.deps.clock.now()));
      const rows = (await this.deps.recordings.listForConversation(orgId, conversationId)).filter(visible);
      const ready = rows.every(settled);
      if (ready || this.deps.clock.now() >= deadline) {
        wait.cancel();
        const annotations = await this.deps.media.annotations(orgId, rows.map((r) => r.id));
        return { ready, recordings: rows.map((row) => ({ row, annotations: annotations.filter((a) => a.recordingId === row.id) })) };
      }
      await wait.promise;
    }
  }

  async get(orgId: string, conversationId: string, recordingId: string, maxWaitMs = 0): Promise<RecordingView | undefined> {
    const { recordings } = await this.list(orgId, conversationId, 0);
    const found = recordings.find((r) => r.row.id === recordingId);
    if (!found || settled(found.row) || maxWaitMs === 0) return found;
    const again = await this.list(orgId, conversationId, maxWaitMs);
    return again.recordings.find((r) => r.row.id === recordingId);
  }

  /** A playback URL (path and query) for `viewer`, valid for the organization's `recordingPlaybackUrlTtl` minutes. */
  async playbackPath(row: RecordingRow, format: AudioFormat, viewer: Principal, purpose: PlaybackGrant['purpose'] = 'play'): Promise<string> {
    const ttlMinutes = (await this.deps.organizations.settings(row.orgId)).recordingPlaybackUrlTtl;
    const grant: PlaybackGrant = {
      recordingId: row.id,
      orgId: row.orgId,
      format,
      viewer: this.deps.auth.viewerRef(viewer),
      purpose,
      expires: Math.floor(this.deps.clock.now() / 1000) + ttlMinutes * 60,
    };
    const fields = grantFields(grant);
    const query = new URLSearchParams({ ...fields, signature: this.deps.signer.sign(fields) });
    return `/api/v2/capstan/recordings/${encodeURIComponent(row.id)}/media?${query.toString()}`;
  }

  /**
   * Serves a playback URL: checks its signature and expiry, then that the viewer it was made for
   * may still play (or download) the recording, then the byte range asked for. A listener limited
   * to some segments hears PCM16 WAV with everything else silenced.
   */
  async play(grant: PlaybackGrant, signature: string, range: string | undefined, listener: Listener = {}): Promise<Served> {
    if (!this.deps.signer.verify(grantFields(grant), signature)) throw new DomainError('playback.invalidSignature', 'the playback URL is not valid');
    if (grant.expires * 1000 < this.deps.clock.now()) throw new DomainError('playback.expired', 'the playback URL has expired; ask for the recording again');
    const row = await this.deps.recordings.get(grant.orgId, grant.recordingId);
    if (!row || !visible(row)) throw new DomainError('recording.notFound', `recording ${grant.recordingId} was not found`, grant.recordingId);
    const action = grant.purpose === 'download' ? 'Download' : 'Play';
    const refused = (message: string, principal?: Principal) =>
      new AccessDenied(message, { serviceName: 'Recording', action, entityType: 'Recording', entityId: row.id, context: { conversationId: row.conversationId, viewer: grant.viewer }, ...(principal ? { principal } : {}) });
    if (listener.presenter && this.deps.auth.viewerRef(listener.presenter) !== grant.viewer) {
      throw refused('This playback URL was made for someone else; ask for the recording yourself', listener.presenter);
    }
    const viewer = await this.deps.auth.principalByRef(grant.orgId, grant.viewer);
    if (!viewer) throw refused('The user or API client this playback URL was made for can no longer play recordings');
    const { segments } = await this.deps.access.authorizeRecording({ principal: viewer, remoteIp: listener.remoteIp }, row, action);
    if (row.media.state !== 'AVAILABLE' || !row.media.blobKey) throw new DomainError('recording.notAvailable', `recording ${row.id} is not finished yet`, row.id);
    const shape: BodyShape = { format: row.media.format!, channels: row.media.channels as 1 | 2, sampleRate: row.media.sampleRate as 8000 | 16000 };
    const reader = await EncryptedObjectReader.open(this.deps.blobs, this.deps.keys, row.media.blobKey);
    const served = segments ? silenced(await representation(shape, reader, 'WAV'), shape, segments.permitted) : await representation(shape, reader, grant.format);
    const answer = serveRange(served.size, served.contentType, range, (s, e) => served.bytes(s, e));
    if (grant.purpose !== 'download') return answer;
    const extension = served.contentType.startsWith('audio/ogg') ? 'opus' : 'wav';
    return { ...answer, headers: { ...answer.headers, 'content-disposition': `attachment; filename="${row.id}.${extension}"` } };
  }
}

function visible(row: RecordingRow): boolean {
  return row.audio !== null && row.status !== 'discarded' && row.media.state !== 'DELETED';
}

function grantFields(grant: PlaybackGrant): Record<string, string> {
  return { org: grant.orgId, recording: grant.recordingId, format: grant.format, expires: String(grant.expires), viewer: grant.viewer, purpose: grant.purpose };
}

/** HTTP Range (RFC 9110) for one range: `bytes=a-b`, `bytes=a-`, `bytes=-n`; several ranges get the whole file. */
export function serveRange(size: number, contentType: string, header: string | undefined, bytes: (start: number, end: number) => AsyncIterable<Buffer>): Served {
  const base = { 'content-type': contentType, 'accept-ranges': 'bytes', 'cache-control': 'private, no-store' };
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) {
    return { status: 200, headers: { ...base, 'content-length': String(size) }, body: bytes(0, size) };
  }
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size : Math.min(size, Number(match[2]) + 1);
  }
  if (start >= size || end <= start) return { status: 416, headers: { ...base, 'content-range': `bytes */${size}` } };
  return {
    status: 206,
    headers: { ...base, 'content-length': String(end - start), 'content-range': `bytes ${start}-${end - 1}/${size}` },
    body: bytes(start, end),
  };
}
