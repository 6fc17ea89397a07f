import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { KeyProvider } from '../crypto/key-provider.js';
import { exportKey, type S3Integration } from '../domain/retention/integration.js';
import type { BodyShape } from '../media/body-format.js';
import { EncryptedObjectReader } from '../media/encrypted-object.js';
import { representation } from '../media/playback.js';
import type { BlobStore } from '../store/blob.store.js';
import type { Clock } from '../store/clock.js';
import type { ConversationsRepository } from '../store/repositories/conversations.repository.js';
import type { LifecycleRecord } from '../store/repositories/lifecycle.repository.js';
import type { RecordingMediaRepository } from '../store/repositories/recording-media.repository.js';
import type { RecordingRow, RecordingsRepository } from '../store/repositories/recordings.repository.js';
import { s3Client } from '../store/s3-blob.store.js';
import type { IntegrationService } from './integration.service.js';

/**
 * Exports a recording to its integration's S3-compatible bucket through the AWS SDK: the audio,
 * decrypted, in its stored format with its header, at the reference's key
 * (`{orgId}/year=/month=/day=/hour=/conversation_id={cid}/{recordingId}`), and beside it
 * `{recordingId}_metadata.json` describing the conversation and the recording. Writing the same
 * keys again replaces them, so an export retried after a crash leaves one copy.
 */

const SUBTYPE: Readonly<Record<string, string>> = { trunk: 'Trunk', station: 'Station', consult: 'Consult', snippet: 'Snippet', screen: 'Screen', adhoc: 'Adhoc' };

export interface RecordingExporterDeps {
  readonly integrations: IntegrationService;
  readonly recordings: RecordingsRepository;
  readonly conversations: ConversationsRepository;
  readonly media: RecordingMediaRepository;
  readonly keys: KeyProvider;
  readonly hot: BlobStore;
  readonly archive: BlobStore;
  readonly clock: Clock;
}

export class RecordingExporter {
  private readonly clients = new Map<string, S3Client>();

  constructor(private readonly deps: RecordingExporterDeps) {}

  async export(record: LifecycleRecord): Promise<void> {
    const { integrations, recordings, conversations } = this.deps;
    const integration = await integrations.settings(record.orgId, record.exportIntegrationId!);
    if (!integration) throw new Error(`integration ${record.exportIntegrationId} no longer exists`);
    const row = await recordings.get(record.orgId, record.recordingId);
    if (!row) throw new Error(`recording ${record.recordingId} has no metadata`);
    if (row.media.state === 'PENDING' || row.media.state === 'RECORDING') throw new Error('the recording is still being written');
    const summary = await conversations.get(record.orgId, record.conversationId);
    const key = exportKey(integration, record.orgId, record.conversationId, summary?.startedAtMs ?? row.startedAtMs, record.recordingId);
    const client = this.clientFor(record.exportIntegrationId!, integration);

    const audio = await this.audio(row, record);
    if (audio) await client.send(new PutObjectCommand({ Bucket: integration.bucket, Key: key, Body: audio.bytes, ContentType: audio.contentType, ContentLength: audio.bytes.length }));
    const metadata = Buffer.from(JSON.stringify(await this.metadata(row, record, audio), null, 2));
    await client.send(new PutObjectCommand({ Bucket: integration.bucket, Key: `${key}_metadata.json`, Body: metadata, ContentType: 'application/json', ContentLength: metadata.length }));
  }

  /** The served file of the recording, read from wherever its media is now; none when it has no audio. */
  private async audio(row: RecordingRow, record: LifecycleRecord): Promise<{ bytes: Buffer; contentType: string } | undefined> {
    const m = row.media;
    if (m.state !== 'AVAILABLE' || !m.blobKey || !m.format || !m.channels || !m.sampleRate) return undefined;
    const archived = record.fileState === 'ARCHIVED' || record.fileState === 'RESTORING';
    const store = archived || !(await this.deps.hot.stat(m.blobKey)) ? this.deps.archive : this.deps.hot;
    const shape: BodyShape = { format: m.format, channels: m.channels as 1 | 2, sampleRate: m.sampleRate as 8000 | 16000 };
    const served = await representation(shape, await EncryptedObjectReader.open(store, this.deps.keys, m.blobKey), m.format);
    const parts: Buffer[] = [];
    for await (const part of served.bytes(0, served.size)) parts.push(part);
    return { bytes: Buffer.concat(parts), contentType: served.contentType };
  }

  private async metadata(row: RecordingRow, record: LifecycleRecord, audio: { bytes: Buffer; contentType: string } | undefined) {
    const { conversations, media, clock } = this.deps;
    const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
    const summary = await conversations.get(record.orgId, record.conversationId);
    const facts = await conversations.facts(record.orgId, record.conversationId);
    const annotations = (await media.annotations(record.orgId, [row.id])).map((a) => ({
      type: a.type,
      reason: a.reason,
      location: a.locationMs,
      durationMs: a.durationMs,
      realtimeLocation: a.realtimeLocationMs,
      realtimeDurationMs: a.realtimeDurationMs,
    }));
    return {
      organizationId: record.orgId,
      conversationId: record.conversationId,
      recordingId: row.id,
      conversation: {
        startTime: iso(summary?.startedAtMs),
        endTime: iso(summary?.endedAtMs),
        direction: summary?.direction ?? null,
        ani: summary?.ani ?? null,
        dnis: summary?.dnis ?? null,
        durationMs: facts.durationMs ?? null,
        users: facts.users,
        queueIds: facts.queueIds,
        wrapupCodes: facts.wrapups.map((w) => w.code),
      },
      recording: {
        startTime: iso(row.startedAtMs),
        endTime: iso(row.stoppedAtMs),
        mediaSubtype: SUBTYPE[row.kind] ?? row.kind,
        recordingFileRole: row.fileRole,
        participantId: row.participantId,
        userId: row.userId,
        channels: row.channels,
        format: row.media.format,
        contentType: audio?.contentType ?? null,
        sizeInBytes: audio?.bytes.length ?? 0,
        durationMs: row.media.durationMs,
        partial: row.media.partial,
        annotations,
      },
      retention: {
        archiveDate: iso(record.archiveAtMs),
        deleteDate: iso(record.deleteAtMs),
        policies: record.decision?.matched.map((m) => ({ id: m.policyId, name: m.name })) ?? [],
      },
      exportedDate: iso(clock.now()),
    };
  }

  private clientFor(id: string, integration: S3Integration): S3Client {
    const cacheKey = `${id}\u0000${JSON.stringify(integration)}`;
    let client = this.clients.get(cacheKey);
    if (!client) {
      client = s3Client({
        region: integration.region,
        endpoint: integration.endpoint,
        forcePathStyle: integration.forcePathStyle,
        ...(integration.accessKeyId && integration.secretAccessKey ? { credentials: { accessKeyId: integration.accessKeyId, secretAccessKey: integration.secretAccessKey } } : {}),
      });
      this.clients.set(cacheKey, client);
    }
    return client;
  }
}
