import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { useSession } from '../api/session';
import type { Repository } from '../api/types';
import { ProblemMessage } from '../components/ProblemMessage';

export default function RepositoriesPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const repositories = useQuery({
    queryKey: ['repositories'],
    queryFn: () => api<Repository[]>('/api/v1/repositories', { query: { limit: 500 } }),
  });
  const [cloneUrl, setCloneUrl] = useState('');
  const register = useMutation({
    mutationFn: () => api<Repository>('/api/v1/repositories', { method: 'POST', body: { clone_url: cloneUrl } }),
    onSuccess: () => {
      setCloneUrl('');
      void queryClient.invalidateQueries({ queryKey: ['repositories'] });
    },
  });
  const sync = useMutation({
    mutationFn: (id: string) => api<Repository>(`/api/v1/repositories/${id}/sync`, { method: 'POST' }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['repositories'] }),
  });
  const scan = useMutation({
    mutationFn: (id: string) =>
      api<{ id: string }>('/agents/guardian/run', { method: 'POST', body: { input: { repository_id: id } } }),
  });
  const canWrite = session.can('repos:write');
  return (
    <section>
      <h1>Repositories</h1>
      {canWrite && (
        <form
          className="inline-form"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            register.mutate();
          }}
        >
          <label>
            Clone URL
            <input
              type="url"
              required
              value={cloneUrl}
              onChange={(e) => setCloneUrl(e.target.value)}
              placeholder="https://…"
            />
          </label>
          <button type="submit" disabled={register.isPending}>
            Register
          </button>
        </form>
      )}
      <ProblemMessage error={repositories.error ?? register.error ?? sync.error ?? scan.error} />
      {scan.data && (
        <p role="status">
          Scan queued as task <a href={`/tasks/${scan.data.id}`}>{scan.data.id.slice(0, 8)}</a>
        </p>
      )}
      {repositories.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Source</th>
              <th scope="col">Branch</th>
              <th scope="col">Head</th>
              <th scope="col">Checks</th>
              <th scope="col">Synced</th>
              {canWrite && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {repositories.data.map((repository) => (
              <tr key={repository.id}>
                <td>{repository.name}</td>
                <td>{repository.clone_url ?? repository.path}</td>
                <td>{repository.default_branch}</td>
                <td>
                  <code>{repository.head_commit?.slice(0, 10) ?? '—'}</code>
                </td>
                <td>{repository.check_commands.join(' · ') || '—'}</td>
                <td>{repository.last_synced_at ? new Date(repository.last_synced_at).toLocaleString() : 'never'}</td>
                {canWrite && (
                  <td className="actions">
                    <button type="button" className="secondary" onClick={() => sync.mutate(repository.id)}>
                      Sync
                    </button>
                    {session.can('agents:run') && (
                      <button type="button" className="secondary" onClick={() => scan.mutate(repository.id)}>
                        Scan now
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
