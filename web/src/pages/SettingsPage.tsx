import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { useSession } from '../api/session';
import type { ApiKey, User } from '../api/types';
import { ProblemMessage } from '../components/ProblemMessage';

export default function SettingsPage() {
  const session = useSession();
  return (
    <section>
      <h1>Settings</h1>
      {session.can('keys:read') && <ApiKeys />}
      {session.can('admin') && <Users />}
    </section>
  );
}

function ApiKeys() {
  const session = useSession();
  const queryClient = useQueryClient();
  const keys = useQuery({
    queryKey: ['api-keys'],
    queryFn: () => api<ApiKey[]>('/api/v1/api-keys', { query: { limit: 500 } }),
  });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () => api<ApiKey & { key: string }>('/api/v1/api-keys', { method: 'POST', body: { name, scopes } }),
    onSuccess: () => {
      setName('');
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/v1/api-keys/${id}`, { method: 'DELETE' }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
  const grantable = (session.me?.scopes ?? []).filter((scope) => scope !== 'admin');
  return (
    <section>
      <h2>API keys</h2>
      {session.can('keys:write') && (
        <form
          className="inline-form"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <label>
            Name
            <input type="text" required value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <fieldset>
            <legend>Scopes</legend>
            {grantable.map((scope) => (
              <label key={scope} className="check">
                <input
                  type="checkbox"
                  checked={scopes.includes(scope)}
                  onChange={() =>
                    setScopes((current) =>
                      current.includes(scope) ? current.filter((s) => s !== scope) : [...current, scope],
                    )
                  }
                />
                {scope}
              </label>
            ))}
          </fieldset>
          <button type="submit" disabled={create.isPending}>
            Create key
          </button>
        </form>
      )}
      {create.data && (
        <div className="secret" role="status">
          <p>Copy the key now: it is shown only this once.</p>
          <code>{create.data.key}</code>
        </div>
      )}
      <ProblemMessage error={keys.error ?? create.error ?? revoke.error} />
      {keys.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Scopes</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.prefix}</code>
                </td>
                <td>{key.scopes.join(', ')}</td>
                <td>{key.last_used_at ? new Date(key.last_used_at).toLocaleString() : 'never'}</td>
                <td>
                  {key.revoked_at ? (
                    'revoked'
                  ) : session.can('keys:write') ? (
                    <button type="button" className="danger" onClick={() => revoke.mutate(key.id)}>
                      Revoke {key.name}
                    </button>
                  ) : (
                    'active'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Users() {
  const queryClient = useQueryClient();
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => api<User[]>('/api/v1/users', { query: { limit: 500 } }),
  });
  const change = useMutation({
    mutationFn: ({ id, ...body }: { id: string; role?: string; disabled?: boolean }) =>
      api<User>(`/api/v1/users/${id}`, { method: 'PATCH', body }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  return (
    <section>
      <h2>Users and roles</h2>
      <ProblemMessage error={users.error ?? change.error} />
      {users.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((user) => (
              <tr key={user.id}>
                <td>{user.email}</td>
                <td>
                  <select
                    aria-label={`Role of ${user.email}`}
                    value={user.role}
                    onChange={(e) => change.mutate({ id: user.id, role: e.target.value })}
                  >
                    {['admin', 'maintainer', 'reviewer', 'viewer'].map((role) => (
                      <option key={role}>{role}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => change.mutate({ id: user.id, disabled: !user.disabled })}
                  >
                    {user.disabled ? `Enable ${user.email}` : `Disable ${user.email}`}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
