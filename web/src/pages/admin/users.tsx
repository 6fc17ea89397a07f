import { useState } from 'react';
import { api } from '../../api';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useLoad } from '../../components/use-api';
import { can, useMe } from '../../session';
import { ConfirmButton, FormAlert, TableHead, useActions, usePages, TextField, useSave } from './common';
import type { Option } from '../../components/directory';
import { MultiPicker } from './pickers';

/** `/admin/users`: who may sign in, with which roles; inactive users keep their place in the audit trail. */

interface User {
  id: string;
  name: string;
  email: string | null;
  username: string | null;
  state: 'active' | 'inactive';
  externalPartner: boolean;
  passwordSet: boolean;
  roleIds: string[];
}

const FIELDS = ['name', 'email', 'username', 'password', 'roleIds', 'state', 'externalPartner'];

export function UsersPage() {
  const me = useMe();
  const users = usePages<User>('/api/v2/users');
  const roles = useLoad(
    () => (can(me, 'authorization:role:view') ? api<{ entities: Option[] }>('GET', '/api/v2/authorization/roles').then((r) => r.entities) : Promise.resolve(undefined)),
    [],
  );
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const { run, messages, say, clear } = useActions(users.reload);
  const roleName = (id: string) => roles.data?.find((r) => r.id === id)?.name ?? id;
  const done = (message: string) => {
    setEditing(null);
    say(message);
    users.reload();
  };

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <div className="toolbar">
        {can(me, 'directory:user:add') ? (
          <button type="button" onClick={() => (clear(), setEditing('new'))}>
            New user
          </button>
        ) : null}
      </div>
      {messages}
      {editing ? <UserForm key={editing === 'new' ? 'new' : editing.id} user={editing === 'new' ? undefined : editing} roles={roles.data} onDone={done} onCancel={() => setEditing(null)} /> : null}
      {users.loading && !users.data ? (
        <Loading what="users" />
      ) : users.error || !users.data ? (
        <ErrorState error={users.error} retry={users.reload} />
      ) : users.data.entities.length === 0 ? (
        <Empty title="No users yet">Create the people who sign in to Capstan with “New user”.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Users</caption>
            <TableHead columns={['Name', 'Username', 'Email', 'Roles', 'State']} />
            <tbody>
              {users.data.entities.map((u) => (
                <tr key={u.id}>
                  <td>
                    {u.name}
                    {u.externalPartner ? <span className="badge warn">external partner</span> : null}
                  </td>
                  <td>{u.username ?? <span className="muted">no sign-in</span>}</td>
                  <td>{u.email ?? '—'}</td>
                  <td>{u.roleIds.length ? u.roleIds.map((r) => <span key={r} className="badge">{roleName(r)}</span>) : <span className="muted">none</span>}</td>
                  <td>
                    <span className={u.state === 'active' ? 'badge ok' : 'badge'}>{u.state}</span>
                  </td>
                  <td className="nowrap">
                    {can(me, 'directory:user:edit') ? (
                      <button type="button" className="secondary" onClick={() => (clear(), setEditing(u))}>
                        Edit<span className="sr-only"> {u.name}</span>
                      </button>
                    ) : null}{' '}
                    {can(me, 'directory:user:delete') && u.id !== me.id ? (
                      <ConfirmButton
                        label={<>Delete<span className="sr-only"> {u.name}</span></>}
                        question={<>Delete {u.name}? Prefer making them inactive: that keeps them in the audit trail and on their recordings.</>}
                        confirmLabel="Delete user"
                        onConfirm={() => run(() => api('DELETE', `/api/v2/users/${encodeURIComponent(u.id)}`), `${u.name} deleted.`)}
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {users.data?.more ? (
        <button type="button" className="secondary" onClick={users.more}>
          Show more
        </button>
      ) : null}
    </section>
  );
}

function UserForm({ user, roles, onDone, onCancel }: { user?: User; roles?: Option[]; onDone: (message: string) => void; onCancel: () => void }) {
  const [name, setName] = useState(user?.name ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [username, setUsername] = useState(user?.username ?? '');
  const [password, setPassword] = useState('');
  const [roleIds, setRoleIds] = useState<string[]>(user?.roleIds ?? []);
  const [active, setActive] = useState(user ? user.state === 'active' : true);
  const [externalPartner, setExternalPartner] = useState(user?.externalPartner ?? false);
  const { errors, saving, submit } = useSave(FIELDS);

  const save = async () => {
    const body = {
      name,
      email: email.trim() || null,
      ...(username.trim() ? { username: username.trim() } : user?.username ? { username: null } : {}),
      ...(password ? { password } : {}),
      roleIds,
      state: active ? 'active' : 'inactive',
      externalPartner,
    };
    if (user) await api('PATCH', `/api/v2/users/${encodeURIComponent(user.id)}`, body);
    else await api('POST', '/api/v2/users', body);
    onDone(user ? `${name} saved.` : `${name} created.`);
  };

  const f = errors.fields;
  return (
    <form className="panel" onSubmit={submit(save)} noValidate aria-labelledby="user-form-title">
      <h2 id="user-form-title">{user ? `Edit ${user.name}` : 'New user'}</h2>
      <FormAlert errors={errors} />
      <div className="form-grid">
        <TextField id="user-name" label="Name" value={name} onChange={setName} required errors={f.name} />
        <TextField id="user-username" label="Username" value={username} onChange={setUsername} autoComplete="off" errors={f.username} hint="Empty: the user cannot sign in with a password." />
        <TextField id="user-email" label="Email" value={email} onChange={setEmail} type="email" errors={f.email} />
        <TextField id="user-password" label={user ? 'New password' : 'Password'} value={password} onChange={setPassword} type="password" autoComplete="new-password" errors={f.password} hint={user ? (user.passwordSet ? 'Leave empty to keep the current one.' : 'None set yet.') : 'At least 8 characters.'} />
        <MultiPicker id="user-roles" legend="Roles" options={roles} value={roleIds} onChange={setRoleIds} errors={f.roleIds} />
        <fieldset className="picker">
          <legend>State</legend>
          <label className="inline">
            <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
            Active (inactive users cannot sign in; their sessions end)
          </label>
          <label className="inline">
            <input type="checkbox" checked={externalPartner} onChange={(e) => setExternalPartner(e.target.checked)} />
            External partner (never screen recorded)
          </label>
        </fieldset>
      </div>
      <div className="toolbar">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : user ? 'Save user' : 'Create user'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
