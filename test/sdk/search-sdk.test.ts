import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { bearer } from '../support/credentials.js';
import { acdCall, at } from '../support/retention.js';

/**
 * A reporting script written for the reference platform, with the official JavaScript SDK
 * (purecloud-platform-client-v2): AnalyticsApi.postAnalyticsConversationsDetailsQuery against a
 * Capstan started here, paging by page number as such scripts do.
 */

interface Sdk {
  ApiClient: { instance: { setGateway(g: object): void; loginClientCredentialsGrant(id: string, secret: string): Promise<{ accessToken: string }> } };
  AnalyticsApi: new () => { postAnalyticsConversationsDetailsQuery(body: object): Promise<any> };
}
const sdk = createRequire(import.meta.url)('purecloud-platform-client-v2') as Sdk;
const CLIENT_ID = 'sdk-search-client';
const CLIENT_SECRET = 'sdk-search-secret-0123456789';

describe('interaction search through the reference SDK', () => {
  let server: RunningServer;
  let analytics: InstanceType<Sdk['AnalyticsApi']>;
  const interval = `${new Date(at(-3600)).toISOString()}/${new Date(at(3600)).toISOString()}`;

  beforeAll(async () => {
    const config = loadConfig({
      CAPSTAN_PORT: '0',
      CAPSTAN_HOST: '127.0.0.1',
      CAPSTAN_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'capstan-sdk-search-')),
      CAPSTAN_ADMIN_CLIENT_ID: CLIENT_ID,
      CAPSTAN_ADMIN_CLIENT_SECRET: CLIENT_SECRET,
    });
    server = await startServer(config, { logger: pino({ level: 'silent' }) });
    const client = sdk.ApiClient.instance;
    client.setGateway({ host: '127.0.0.1', protocol: 'http', port: Number(new URL(server.url).port) });
    await client.loginClientCredentialsGrant(CLIENT_ID, CLIENT_SECRET);
    analytics = new sdk.AnalyticsApi();

    const auth = await bearer(server.url, CLIENT_ID, CLIENT_SECRET);
    const send = (method: string, url: string, body: unknown) =>
      fetch(`${server.url}${url}`, { method, headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
    await send('PUT', '/api/v2/capstan/config/trunks/t1', { name: 'Carrier' });
    for (const [n, id] of ['sdk-a', 'sdk-b', 'sdk-c'].entries()) {
      const res = await send('POST', '/api/v2/capstan/events', acdCall(id, { startSec: n * 60, seconds: 30, ...(n === 1 ? { wrapupCode: 'sale' } : {}) }).inputs);
      expect(res.status).toBe(202);
    }
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('pages through the conversations of an interval by page number', async () => {
    const body = { interval, order: 'asc', orderBy: 'conversationStart', paging: { pageSize: 2, pageNumber: 1 } };
    const first = await analytics.postAnalyticsConversationsDetailsQuery(body);
    expect(first.totalHits).toBe(3);
    expect(first.conversations.map((c: { conversationId: string }) => c.conversationId)).toEqual(['sdk-a', 'sdk-b']);
    const second = await analytics.postAnalyticsConversationsDetailsQuery({ ...body, paging: { pageSize: 2, pageNumber: 2 } });
    expect(second.conversations.map((c: { conversationId: string }) => c.conversationId)).toEqual(['sdk-c']);
    expect(second.conversations[0]).toMatchObject({ originatingDirection: 'inbound', participants: expect.arrayContaining([expect.objectContaining({ purpose: 'agent', userId: 'ua' })]) });
  });

  it('filters by segment dimensions, as such scripts write them', async () => {
    const res = await analytics.postAnalyticsConversationsDetailsQuery({
      interval,
      segmentFilters: [{ type: 'and', predicates: [{ type: 'dimension', dimension: 'wrapUpCode', operator: 'matches', value: 'sale' }] }],
    });
    expect(res.conversations.map((c: { conversationId: string }) => c.conversationId)).toEqual(['sdk-b']);
  });

  it('gets an ErrorBody for an unknown dimension', async () => {
    const error = await analytics
      .postAnalyticsConversationsDetailsQuery({ interval, segmentFilters: [{ type: 'and', predicates: [{ dimension: 'mood', value: 'happy' }] }] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'bad.request', details: [expect.objectContaining({ errorCode: 'query.invalidPredicate' })] });
  });
});
