import { api, query } from '../api';
import { can, type Me } from '../session';
import { useLoad } from './use-api';

/** Something to pick by name: a user, a queue, an export integration. */
export interface Option {
  readonly id: string;
  readonly name: string;
}

const listOf = (path: string) => api<{ entities: Option[] }>('GET', path).then((r) => r.entities.map((e) => ({ id: e.id, name: e.name || e.id })));

/** The users, queues and export integrations the signed-in user may list (undefined: may not, or not loaded). */
export function useDirectory(me: Me) {
  const users = useLoad(() => (can(me, 'directory:user:view') ? listOf(`/api/v2/users${query({ pageSize: 500 })}`) : Promise.resolve(undefined)), []);
  const queues = useLoad(() => (can(me, 'telephony:config:view') ? listOf(`/api/v2/capstan/config/queues${query({ pageSize: 500 })}`) : Promise.resolve(undefined)), []);
  const integrations = useLoad(
    () => (can(me, 'integrations:integration:view') ? listOf(`/api/v2/capstan/integrations${query({ pageSize: 100 })}`) : Promise.resolve(undefined)),
    [],
  );
  return { users: users.data, queues: queues.data, integrations: integrations.data };
}
