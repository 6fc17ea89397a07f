import { expect, it } from 'vitest';
import { ConversationsRepository } from '../../src/store/repositories/conversations.repository.js';
import { RecordingMediaRepository } from '../../src/store/repositories/recording-media.repository.js';
import { RecordingsRepository } from '../../src/store/repositories/recordings.repository.js';
import { inTransaction } from '../../src/store/db.js';
import { describeEachDialect } from '../support/db.js';
import { Call, planOf } from '../support/call.js';

describeEachDialect('media rows', (db) => {
  it('advances many conversations\u2019 media high water in one statement, never backwards', async () => {
    const repo = new ConversationsRepository(db());
    await db().kysely.insertInto('organizations').values({ id: 'o1', name: 'o1', created_at: 0 }).onConflict((oc) => oc.doNothing()).execute();
    for (const id of ['a', 'b', 'c']) await inTransaction(db(), (trx) => repo.lock(trx, 'o1', id, 0));
    await repo.advanceMediaHighWaters([
      { orgId: 'o1', id: 'a', atMs: 5000 },
      { orgId: 'o1', id: 'b', atMs: 7000 },
    ]);
    await repo.advanceMediaHighWaters([
      { orgId: 'o1', id: 'a', atMs: 4000 },
      { orgId: 'o1', id: 'b', atMs: 9000 },
      { orgId: 'o1', id: 'c', atMs: 1000 },
    ]);
    expect((await repo.get('o1', 'a'))?.mediaHighWaterMs).toBe(5000);
    expect((await repo.get('o1', 'b'))?.mediaHighWaterMs).toBe(9000);
    expect((await repo.get('o1', 'c'))?.mediaHighWaterMs).toBe(1000);
  });

  it('finishes a recording with its annotations, and lists unfinished ones for recovery', async () => {
    const conversations = new ConversationsRepository(db());
    const recordings = new RecordingsRepository(db());
    const media = new RecordingMediaRepository(db());
    await db().kysely.insertInto('organizations').values({ id: 'o2', name: 'o2', created_at: 0 }).onConflict((oc) => oc.doNothing()).execute();
    const { plan } = planOf(new Call('m1').start(0, 'inbound').join(0, 'c', 'customer').join(0, 'a', 'agent').talk(0, 'c', 'a'));
    const [row] = await inTransaction(db(), async (trx) => {
      await conversations.lock(trx, 'o2', 'm1', 0);
      return recordings.syncPlan(trx, 'o2', 'm1', plan.recordings, 0);
    });
    expect(row!.media).toMatchObject({ state: 'PENDING', partial: false });
    await media.started('o2', row!.id, { blobKey: 'o2/recordings/x', keyId: 'k1', format: 'WAV_ULAW', channels: 2, sampleRate: 8000 }, 1);
    expect((await media.unfinished()).map((r) => r.id)).toContain(row!.id);
    const health = { sources: [], silentParticipants: [], channels: [], durationMs: 1000, expectedMs: 1000, conversationMs: 1000, warnings: [] };
    const annotation = { type: 'pause', reason: 'Hold', locationMs: 500, durationMs: 0, realtimeLocationMs: 500, realtimeDurationMs: 2000 };
    await media.finished('o2', row!.id, { bodyBytes: 16000, sizeBytes: 16312, durationMs: 1000, partial: true, health, annotations: [annotation] }, 2);
    await media.finished('o2', row!.id, { bodyBytes: 16000, sizeBytes: 16312, durationMs: 1000, partial: true, health, annotations: [annotation] }, 3);
    expect((await media.unfinished()).map((r) => r.id)).not.toContain(row!.id);
    expect(await media.annotations('o2', [row!.id])).toEqual([expect.objectContaining({ ...annotation, system: true })]);
    expect((await recordings.get('o2', row!.id))?.media).toMatchObject({ state: 'AVAILABLE', partial: true, bodyBytes: 16000, keyId: 'k1', durationMs: 1000 });
  });
});
