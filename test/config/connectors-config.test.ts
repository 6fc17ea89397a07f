import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

/** Connector configuration: defaults, per-organization credentials, and readable refusals. */

describe('connector configuration', () => {
  it('has working defaults: SIPREC on 5060, AudioHook and Twilio off until given credentials', () => {
    const { connectors } = loadConfig({});
    expect(connectors.siprec).toMatchObject({ port: 5060, host: '0.0.0.0', trunkId: 'siprec', orgId: 'default', rtpPorts: { min: 0, max: 0 }, tls: undefined });
    expect(connectors.audiohook.credentials).toEqual([]);
    expect(connectors.twilio.authToken).toBeUndefined();
  });

  it('puts the default organization first, then the listed ones with their trunk and region', () => {
    const { connectors } = loadConfig({
      CAPSTAN_AUDIOHOOK_API_KEY: 'key-default',
      CAPSTAN_AUDIOHOOK_CLIENT_SECRET: 'c2VjcmV0',
      CAPSTAN_AUDIOHOOK_REGION: 'us',
      CAPSTAN_AUDIOHOOK_CREDENTIALS: JSON.stringify([{ orgId: 'acme', apiKey: 'key-acme', clientSecret: 'YWNtZQ==', trunkId: 'genesys-eu', region: 'eu' }]),
      CAPSTAN_SIPREC_RTP_PORTS: '20000-20999',
      CAPSTAN_SIPREC_ALLOWED_SOURCES: '10.0.0.0/8, 192.0.2.7',
    });
    expect(connectors.audiohook.credentials).toEqual([
      { orgId: 'default', apiKey: 'key-default', clientSecret: 'c2VjcmV0', trunkId: 'audiohook', region: 'us' },
      { orgId: 'acme', apiKey: 'key-acme', clientSecret: 'YWNtZQ==', trunkId: 'genesys-eu', region: 'eu' },
    ]);
    expect(connectors.siprec.rtpPorts).toEqual({ min: 20000, max: 20999 });
    expect(connectors.siprec.allowedSources).toEqual(['10.0.0.0/8', '192.0.2.7']);
  });

  it('names every bad connector key', () => {
    try {
      loadConfig({
        CAPSTAN_AUDIOHOOK_CLIENT_SECRET: 'not base64!',
        CAPSTAN_AUDIOHOOK_CREDENTIALS: '[{"orgId": "x"}]',
        CAPSTAN_SIPREC_RTP_PORTS: '30000-20000',
        CAPSTAN_SIPREC_ALLOWED_SOURCES: 'example.com',
        CAPSTAN_SIPREC_PORT: '70000',
      });
      expect.unreachable();
    } catch (err) {
      const text = (err as ConfigError).message;
      for (const key of ['CAPSTAN_AUDIOHOOK_CLIENT_SECRET', 'CAPSTAN_AUDIOHOOK_CREDENTIALS.0.apiKey', 'CAPSTAN_SIPREC_RTP_PORTS', 'CAPSTAN_SIPREC_ALLOWED_SOURCES', 'CAPSTAN_SIPREC_PORT']) {
        expect(text).toContain(key);
      }
    }
  });
});
