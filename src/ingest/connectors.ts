import { readFileSync } from 'node:fs';
import type { AudioHookCredential } from '../config/config.js';
import type { MediaIngest } from '../media/source.js';
import type { Services } from '../services/index.js';
import { AUDIOHOOK_PATH, AudioHookConnector } from './audiohook/audiohook.connector.js';
import { SiprecRecorder } from './siprec/siprec.connector.js';
import { SiprecServer } from './siprec/srs.js';
import { TWILIO_PATH, TwilioConnector } from './twilio/twilio.connector.js';
import type { UpgradeRoute } from './upgrade-dispatcher.js';

/**
 * Starts the protocol connectors of the ingest role: AudioHook and Twilio as WebSocket endpoints
 * on the HTTP listener, SIPREC on its own SIP port. Each connector's trunk is created with the
 * seed's defaults when it does not exist yet, so that a fresh install records what arrives.
 */

export interface Connectors {
  /** The WebSocket endpoints (AudioHook, Twilio) for the upgrade dispatcher. */
  readonly routes: readonly UpgradeRoute<any>[];
  readonly siprec: SiprecServer | undefined;
  drain(): Promise<void>;
}

export async function startConnectors(services: Services, media: MediaIngest = services.media): Promise<Connectors> {
  const { config, logger, clock, connectorHealth: health } = services;
  const c = config.connectors;
  const deps = { conversations: services.conversations, media, clock };

  const trunks = new Set<string>();
  for (const credential of c.audiohook.credentials) trunks.add(`${credential.orgId}\u0000${credential.trunkId}`);
  if (c.twilio.authToken) trunks.add(`${c.twilio.orgId}\u0000${c.twilio.trunkId}`);
  if (c.siprec.port !== 0) trunks.add(`${c.siprec.orgId}\u0000${c.siprec.trunkId}`);
  for (const entry of trunks) {
    const [orgId, trunkId] = entry.split('\u0000') as [string, string];
    await services.organizations.ensure(orgId, orgId, clock.now());
    if (!(await services.telephony.get(orgId, 'trunks', trunkId))) {
      await services.telephony.put(orgId, 'trunks', { id: trunkId, name: `${trunkId} (connector)` });
      logger.info({ orgId, trunkId }, 'connector trunk created with the default recording settings');
    }
  }

  const audiohook = new AudioHookConnector(deps, c.audiohook, health.audiohook, logger);
  const twilio = new TwilioConnector(deps, c.twilio, config.publicUrl, health.twilio, logger);
  const audiohookRoute: UpgradeRoute<AudioHookCredential> = {
    path: AUDIOHOOK_PATH,
    async accept(request) {
      const decision = await audiohook.authenticate(request);
      return decision.ok ? { accept: true, context: decision.credential } : refusal(decision.status, 'AudioHook');
    },
    connected: (ws, credential, request) => audiohook.connect(ws, request, credential),
  };
  const twilioRoute: UpgradeRoute<undefined> = {
    path: TWILIO_PATH,
    async accept(request) {
      const decision = twilio.authenticate(request);
      return decision.ok ? { accept: true, context: undefined } : refusal(decision.status, 'Twilio Media Streams');
    },
    connected: (ws, _context, request) => twilio.connect(ws, request),
  };
  health.audiohook.listening = { path: AUDIOHOOK_PATH };
  health.twilio.listening = { path: TWILIO_PATH };

  let siprec: SiprecServer | undefined;
  if (c.siprec.port !== 0) {
    siprec = await SiprecServer.listen(
      {
        sip: {
          host: c.siprec.host,
          port: c.siprec.port,
          tls: c.siprec.tls ? { port: c.siprec.tls.port, cert: readFileSync(c.siprec.tls.certFile), key: readFileSync(c.siprec.tls.keyFile) } : undefined,
        },
        media: { host: c.siprec.host, portMin: c.siprec.rtpPorts.min, portMax: c.siprec.rtpPorts.max },
        advertisedAddress: c.siprec.mediaAddress,
        maxSessions: c.siprec.maxSessions,
        allowedSources: c.siprec.allowedSources,
        idleTimeoutMs: c.siprec.idleTimeoutMs,
        now: () => clock.now(),
      },
      new SiprecRecorder(deps, { orgId: c.siprec.orgId, trunkId: c.siprec.trunkId, region: c.siprec.region }, logger),
      health.siprec,
      logger,
    );
    health.siprec.enabled = true;
    health.siprec.listening = { host: c.siprec.host, udp: siprec.ports.udp, tcp: siprec.ports.tcp, ...(siprec.ports.tls ? { tls: siprec.ports.tls } : {}) };
    logger.info({ ports: siprec.ports, host: c.siprec.host }, 'SIPREC recording server listening');
  }

  return {
    routes: [audiohookRoute, twilioRoute],
    siprec,
    async drain() {
      await Promise.all([audiohook.drain(), twilio.drain(), siprec?.close()]);
    },
  };
}

/** What a refused upgrade is told: only whether it failed authentication or the connector is off (details are logged). */
function refusal(status: 401 | 403, connector: string) {
  return status === 401
    ? { accept: false as const, status, code: 'authentication.required', message: `${connector} authentication failed` }
    : { accept: false as const, status, code: 'connector.disabled', message: `${connector} is not configured on this server` };
}
