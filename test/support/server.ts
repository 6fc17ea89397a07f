import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { TEST_ADMIN, actingAs } from './api.js';

/** `startServer` in this process on a free port, with a fresh data folder (real HTTP, real WebSocket, SQLite). */
export async function startTestServer(env: Record<string, string> = {}): Promise<RunningServer & { dataDir: string }> {
  const dataDir = env.CAPSTAN_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'capstan-media-'));
  const config = loadConfig({ CAPSTAN_PORT: '0', CAPSTAN_HOST: '127.0.0.1', CAPSTAN_DATA_DIR: dataDir, ...env });
  // Requests without credentials act as an administrator, as in testApi (test/support/api.ts).
  const server = await startServer(config, { logger: pino({ level: process.env.CAPSTAN_TEST_LOG ?? 'silent' }), authenticator: actingAs(TEST_ADMIN) });
  return Object.assign(server, { dataDir });
}

export async function postJson(url: string, body: unknown, method = 'POST'): Promise<Response> {
  return fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
