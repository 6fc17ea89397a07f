import type { Logger } from 'pino';
import type { KeyProvider } from '../crypto/key-provider.js';
import type { UrlSigner } from '../crypto/url-signer.js';
import { DomainError } from '../domain/errors.js';
import type { AudioFormat } from '../domain/telephony.js';
import type { BodyShape } from '../media/body-format.js';
import { EncryptedObjectReader } from '../media/encrypted-object.js';
import { representation } from '../media/playback.js';
import type { BlobStore } from '../store/blob.store.js';
import type { Clock } from '../store/clock.js';
import type { OrganizationsRepository } from '../store/repositories/organizations.repository.js';
import type { Annotation, RecordingMediaRepository } from '../store/repositories/recording-media.repository.js';
import type { RecordingRow, RecordingsRepository } from '../store/repositories/recordings.repository.js';
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
  /** Who the URL was made for; carried into the audit trail of the play. */
  readonly viewer: string;
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

  /** A playback URL (path and query) valid for the organization's `recordingPlaybackUrlTtl` minutes. */
  async playbackPath(row: RecordingRow, format: AudioFormat, viewer: string): Promise<string> {
    const ttlMinutes = (await this.deps.organizations.settings(row.orgId)).recordingPlaybackUrlTtl;
    const grant: PlaybackGrant = { recordingId: row.id, orgId: row.orgId, format, viewer, expires: Math.floor(this.deps.clock.now() / 1000) + ttlMinutes * 60 };
    const fields = grantFields(grant);
    const query = new URLSearchParams({ ...fields, signature: this.deps.signer.sign(fields) });
    return `/api/v2/capstan/recordings/${encodeURIComponent(row.id)}/media?${query.toString()}`;
  }

  /** Serves a playback URL: checks its signature and expiry, then the byte range asked for. */
  async play(grant: PlaybackGrant, signature: string, range: string | undefined): Promise<Served> {
    if (!this.deps.signer.verify(grantFields(grant), signature)) throw new DomainError('playback.invalidSignature', 'the playback URL is not valid');
    if (grant.expires * 1000 < this.deps.clock.now()) throw new DomainError('playback.expired', 'the playback URL has expired; ask for the recording again');
    const row = await this.deps.recordings.get(grant.orgId, grant.recordingId);
    if (!row || !visible(row)) throw new DomainError('recording.notFound', `recording ${grant.recordingId} was not found`, grant.recordingId);
    if (row.media.state !== 'AVAILABLE' || !row.media.blobKey) throw new DomainError('recording.notAvailable', `recording ${row.id} is not finished yet`, row.id);
    const shape: BodyShape = { format: row.media.format!, channels: row.media.channels as 1 | 2, sampleRate: row.media.sampleRate as 8000 | 16000 };
    const reader = await EncryptedObjectReader.open(this.deps.blobs, this.deps.keys, row.media.blobKey);
    const served = await representation(shape, reader, grant.format);
    this.accessed('play', grant);
    return serveRange(served.size, served.contentType, range, (s, e) => served.bytes(s, e));
  }

  /** Where the identity area's audit trail records each play (services.audit.record), once it lands. */
  private accessed(action: 'play', grant: PlaybackGrant): void {
    this.deps.logger.info({ action, recordingId: grant.recordingId, orgId: grant.orgId, viewer: grant.viewer, format: grant.format }, 'recording accessed');
  }
}

function visible(row: RecordingRow): boolean {
  return row.audio !== null && row.status !== 'discarded' && row.media.state !== 'DELETED';
}

function grantFields(grant: PlaybackGrant): Record<string, string> {
  return { org: grant.orgId, recording: grant.recordingId, format: grant.format, expires: String(grant.expires), viewer: grant.viewer };
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
