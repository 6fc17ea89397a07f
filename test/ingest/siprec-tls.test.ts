import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SiprecServer } from '../../src/ingest/siprec/srs.js';
import { parseSipMessage } from '../../src/ingest/siprec/sip/message.js';
import { ConnectorHealth } from '../../src/services/connector-health.js';

/** SIP over TLS: the same server behind a certificate made for the test. */

let server: SiprecServer;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'capstan-sip-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  server = await SiprecServer.listen(
    {
      sip: { host: '127.0.0.1', port: 0, tls: { port: 0, key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) } },
      media: { host: '127.0.0.1', portMin: 0, portMax: 0 },
      maxSessions: 1,
      allowedSources: [],
      idleTimeoutMs: 60_000,
      now: Date.now,
    },
    { begin: async () => Promise.reject(new Error('not used')) },
    new ConnectorHealth('siprec', pino({ level: 'silent' })),
    pino({ level: 'silent' }),
  );
});
afterAll(async () => {
  await server.close();
});

describe('SIPREC over TLS', () => {
  it('answers OPTIONS on the TLS port', async () => {
    const socket = tls.connect({ host: '127.0.0.1', port: server.ports.tls!, rejectUnauthorized: false });
    await new Promise((r) => socket.once('secureConnect', r));
    socket.write(
      'OPTIONS sip:srs@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-tls-1\r\nFrom: <sip:src@127.0.0.1>;tag=t1\r\n' +
        'To: <sip:srs@127.0.0.1>\r\nCall-ID: tls-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
    );
    const data = await new Promise<Buffer>((r) => socket.once('data', r));
    const response = parseSipMessage(data);
    expect(response).toMatchObject({ kind: 'response', status: 200 });
    socket.destroy();
  });
});
