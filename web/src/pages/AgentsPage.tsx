import { useMutation, useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api } from '../api/client';
import { useSession } from '../api/session';
import type { AgentStatus } from '../api/types';
import { ProblemMessage } from '../components/ProblemMessage';
import { StatusBadge } from '../components/StatusBadge';

export default function AgentsPage() {
  const session = useSession();
  const agents = useQuery({ queryKey: ['agents', 'status'], queryFn: () => api<AgentStatus[]>('/agents/status') });
  const run = useMutation({
    mutationFn: (type: string) => api<{ id: string }>(`/agents/${type}/run`, { method: 'POST', body: { input: {} } }),
  });
  return (
    <section>
      <h1>Agents</h1>
      <ProblemMessage error={agents.error ?? run.error} />
      {run.data && (
        <p role="status">
          Queued task <Link href={`/tasks/${run.data.id}`}>{run.data.id.slice(0, 8)}</Link>
        </p>
      )}
      {agents.data && (
        <table>
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Status</th>
              <th scope="col">Queued</th>
              <th scope="col">Running</th>
              <th scope="col">Next run</th>
              <th scope="col">Last error</th>
              {session.can('agents:run') && <th scope="col">Run</th>}
            </tr>
          </thead>
          <tbody>
            {agents.data.map((agent) => (
              <tr key={agent.id}>
                <td>
                  <strong>{agent.name}</strong> <span className="muted">{agent.type}</span>
                </td>
                <td>
                  <StatusBadge status={agent.status} />
                </td>
                <td>{agent.queue_depth}</td>
                <td>{agent.running}</td>
                <td>{agent.next_run ? new Date(agent.next_run).toLocaleString() : '—'}</td>
                <td>{agent.last_error ?? '—'}</td>
                {session.can('agents:run') && (
                  <td>
                    <button type="button" className="secondary" onClick={() => run.mutate(agent.type)}>
                      Run now
                    </button>
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
