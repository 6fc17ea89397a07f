import { readFileSync } from 'node:fs';
import type { AudioHookCredential, Config } from '../config/config.js';
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

/** The trunks the enabled connectors record on (created at start when missing). */
export function connectorTrunks(config: Config): { orgId: string; trunkId: string }[] {
  const c = config.connectors;
  const trunks = new Map<string, { orgId: string; trunkId: string }>();
  const add = (orgId: string, trunkId: string) => trunks.set(`${orgId}\u0000${trunkId}`, { orgId, trunkId });
  for (const credential of c.audiohook.credentials) add(credential.orgId, credential.trunkId);
  if (c.twilio.authToken) add(c.twilio.orgId, c.twilio.trunkId);
  if (c.siprec.port !== 0) add(c.siprec.orgId, c.siprec.trunkId);
  return [...trunks.values()];
}

export async function startConnectors(services: Services, media: MediaIngest = services.media): Promise<Connectors> {
  const { config, logger, clock, connectorHealth: health } = services;
  const c = config.connectors;
  const deps = { conversations: services.conversations, media, clock };

  for (const { orgId, trunkId } of connectorTrunks(config)) {
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
