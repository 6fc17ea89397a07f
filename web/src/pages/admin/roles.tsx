import { useState } from 'react';
import { api } from '../../api';
import { Empty, ErrorState, Loading } from '../../components/states';
import { useLoad } from '../../components/use-api';
import { can, useMe } from '../../session';
import { ConfirmButton, FieldError, FormAlert, splitList, TableHead, useActions, TextField, useSave } from './common';

/** `/admin/roles`: roles and the permissions they grant (`/api/v2/authorization/roles`, `/permissions`). */

interface Role {
  id: string;
  name: string;
  description: string;
  permissions: string[];
  queueScopes: Record<string, string[]>;
  default: boolean;
  userCount: number;
  clientCount: number;
}

interface Permission {
  permission: string;
  description: string;
  queueScopable: boolean;
}

export function RolesPage() {
  const me = useMe();
  const roles = useLoad(() => api<{ entities: Role[] }>('GET', '/api/v2/authorization/roles').then((r) => r.entities), []);
  const catalogue = useLoad(() => api<{ entities: Permission[] }>('GET', '/api/v2/authorization/permissions').then((r) => r.entities), []);
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const { run, messages, say, clear } = useActions(roles.reload);
  const done = (message: string) => {
    setEditing(null);
    say(message);
    roles.reload();
  };

  if ((roles.loading && !roles.data) || (catalogue.loading && !catalogue.data)) return <Loading what="roles" />;
  if (roles.error || !roles.data) return <ErrorState error={roles.error} retry={roles.reload} />;
  if (catalogue.error || !catalogue.data) return <ErrorState error={catalogue.error} retry={catalogue.reload} />;
  return (
    <section aria-labelledby="roles-title">
      <h1 id="roles-title">Roles</h1>
      <p className="muted">A user may do what any of their roles grants. Every role is editable, the default ones included.</p>
      <div className="toolbar">
        {can(me, 'authorization:role:add') ? (
          <button type="button" onClick={() => (clear(), setEditing('new'))}>
            New role
          </button>
        ) : null}
      </div>
      {messages}
      {editing ? (
        <RoleForm
          key={editing === 'new' ? 'new' : editing.id}
          role={editing === 'new' ? undefined : editing}
          catalogue={catalogue.data}
          readOnly={editing !== 'new' && !can(me, 'authorization:role:edit')}
          onDone={done}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      {roles.data.length === 0 ? (
        <Empty title="No roles">Create a role, then give it to users on the Users page.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Roles</caption>
            <TableHead columns={['Role', 'Permissions', 'Users', 'API clients']} />
            <tbody>
              {roles.data.map((r) => (
                <tr key={r.id}>
                  <td>
                    <strong>{r.name}</strong> {r.default ? <span className="badge">default</span> : null}
                    <div className="muted">{r.description}</div>
                  </td>
                  <td>{r.permissions.includes('*') ? 'all' : r.permissions.length}</td>
                  <td>{r.userCount}</td>
                  <td>{r.clientCount}</td>
                  <td className="nowrap">
                    <button type="button" className="secondary" onClick={() => (clear(), setEditing(r))}>
                      {can(me, 'authorization:role:edit') ? 'Edit' : 'View'}
                      <span className="sr-only"> {r.name}</span>
                    </button>{' '}
                    {can(me, 'authorization:role:delete') && r.userCount + r.clientCount === 0 ? (
                      <ConfirmButton
                        label={<>Delete<span className="sr-only"> {r.name}</span></>}
                        question={<>Delete the role “{r.name}”? Nobody holds it.</>}
                        confirmLabel="Delete role"
                        onConfirm={() => run(() => api('DELETE', `/api/v2/authorization/roles/${encodeURIComponent(r.id)}`), `${r.name} deleted.`)}
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RoleForm({
  role,
  catalogue,
  readOnly,
  onDone,
  onCancel,
}: {
  role?: Role;
  catalogue: Permission[];
  readOnly: boolean;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const known = new Set(catalogue.map((p) => p.permission));
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [granted, setGranted] = useState<string[]>(role?.permissions.filter((p) => known.has(p)) ?? []);
  const [patterns, setPatterns] = useState((role?.permissions.filter((p) => !known.has(p)) ?? []).join(', '));
  const [scopes, setScopes] = useState<Record<string, string>>(Object.fromEntries(Object.entries(role?.queueScopes ?? {}).map(([k, v]) => [k, v.join(', ')])));
  const { errors, saving, submit } = useSave(['name', 'description', 'permissions', 'queueScopes']);
  const groups = new Map<string, Permission[]>();
  for (const p of catalogue) {
    const domain = p.permission.split(':')[0]!;
    groups.set(domain, [...(groups.get(domain) ?? []), p]);
  }

  const save = async () => {
    const permissions = [...granted, ...splitList(patterns)];
    const queueScopes = Object.fromEntries(
      Object.entries(scopes)
        .map(([k, v]) => [k, splitList(v)] as const)
        .filter(([k, v]) => v.length && granted.includes(k)),
    );
    const body = { name, description, permissions, queueScopes };
    if (role) await api('PUT', `/api/v2/authorization/roles/${encodeURIComponent(role.id)}`, body);
    else await api('POST', '/api/v2/authorization/roles', body);
    onDone(role ? `${name} saved.` : `${name} created.`);
  };

  const f = errors.fields;
  return (
    <form className="panel" onSubmit={submit(save)} noValidate aria-labelledby="role-form-title">
      <h2 id="role-form-title">{role ? `Role “${role.name}”` : 'New role'}</h2>
      <FormAlert errors={errors} />
      <fieldset disabled={readOnly} className="plain">
        <div className="form-grid">
          <TextField id="role-name" label="Name" value={name} onChange={setName} errors={f.name} />
          <TextField id="role-description" className="span-2" label="Description" value={description} onChange={setDescription} errors={f.description} />
        </div>
        <h3>Permissions</h3>
        <FieldError id="role-permissions" errors={f.permissions} />
        <div className="permission-groups">
          {[...groups].map(([domain, perms]) => (
            <fieldset key={domain} className="picker">
              <legend>{domain}</legend>
              {perms.map((p) => (
                <div key={p.permission}>
                  <label className="inline" title={p.permission}>
                    <input
                      type="checkbox"
                      checked={granted.includes(p.permission)}
                      onChange={(e) => setGranted((g) => (e.target.checked ? [...g, p.permission] : g.filter((x) => x !== p.permission)))}
                    />
                    <span>
                      {p.description} <code className="muted">{p.permission}</code>
                    </span>
                  </label>
                  {p.queueScopable && granted.includes(p.permission) ? (
                    <label className="scope">
                      Only in queues (ids; empty: every queue)
                      <input value={scopes[p.permission] ?? ''} onChange={(e) => setScopes((s) => ({ ...s, [p.permission]: e.target.value }))} />
                    </label>
                  ) : null}
                </div>
              ))}
            </fieldset>
          ))}
        </div>
        <label>
          Patterns (e.g. <code>recording:*:view</code>, or <code>*</code> for everything)
          <input id="role-patterns" value={patterns} onChange={(e) => setPatterns(e.target.value)} />
        </label>
        <FieldError id="role-scopes" errors={f.queueScopes} />
      </fieldset>
      <div className="toolbar">
        {!readOnly ? (
          <button type="submit" disabled={saving}>
            {saving ? 'Saving…' : role ? 'Save role' : 'Create role'}
          </button>
        ) : null}
        <button type="button" className="secondary" onClick={onCancel}>
          {readOnly ? 'Close' : 'Cancel'}
        </button>
      </div>
    </form>
  );
}
