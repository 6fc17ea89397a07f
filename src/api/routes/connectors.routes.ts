import { route } from '../route.js';

/** Health of the protocol connectors: sessions, traffic, refusals by reason (with the latest ones). */
export const connectorRoutes = [
  route({
    method: 'GET',
    url: '/api/v2/capstan/connectors',
    summary: 'AudioHook, SIPREC and Twilio connectors: whether each is on, where it listens, its sessions and refusals',
    tags: ['connectors'],
    access: { anyOf: ['telephony:connector:view'] },
    async handler({ services }) {
      return { entities: services.connectorHealth.snapshot() };
    },
  }),
];
