import { ping } from '../../store/db.js';
import { route } from '../route.js';

export const healthRoutes = [
  route({
    method: 'GET',
    url: '/healthz',
    summary: 'Readiness: 200 once the database is migrated and the stores are open, 503 while starting or draining',
    tags: ['operations'],
    access: 'public',
    async handler({ services, reply }) {
      const state = services.lifecycle.state;
      if (state !== 'ready') return reply.code(503).send({ status: state });
      await ping(services.db);
      return { status: 'ok' };
    },
  }),
];
