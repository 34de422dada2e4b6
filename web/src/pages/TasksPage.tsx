import { useQuery } from '@tanstack/react-query';
import { Link, useLocation, useSearch } from 'wouter';
import { apiRequest } from '../api/client';
import type { Task } from '../api/types';
import { ProblemMessage } from '../components/ProblemMessage';
import { StatusBadge } from '../components/StatusBadge';

const STATUSES = ['', 'queued', 'running', 'succeeded', 'failed', 'cancelled'];

export default function TasksPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const status = params.get('status') ?? '';
  const agentType = params.get('agent_type') ?? '';
  const tasks = useQuery({
    queryKey: ['tasks', 'list', status, agentType],
    queryFn: async () => {
      const response = await apiRequest<Task[]>('/api/v1/tasks', {
        query: { status, agent_type: agentType, limit: 100 },
      });
      return { rows: response.data, total: Number(response.headers.get('x-total-count') ?? response.data.length) };
    },
  });
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    navigate(`/tasks?${next.toString()}`);
  };
  return (
    <section>
      <h1>Tasks</h1>
      <div className="filters" role="group" aria-label="Filters">
        <label>
          Status
          <select value={status} onChange={(e) => setFilter('status', e.target.value)}>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {value || 'Any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Agent
          <input
            type="search"
            defaultValue={agentType}
            onKeyDown={(e) => e.key === 'Enter' && setFilter('agent_type', e.currentTarget.value.trim())}
          />
        </label>
      </div>
      <ProblemMessage error={tasks.error} />
      {tasks.data && (
        <table>
          <caption className="muted small">{tasks.data.total} tasks</caption>
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Agent</th>
              <th scope="col">Status</th>
              <th scope="col">Trigger</th>
              <th scope="col">Attempts</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {tasks.data.rows.map((task) => (
              <tr key={task.id}>
                <td>
                  <Link href={`/tasks/${task.id}`}>{task.id.slice(0, 8)}</Link>
                </td>
                <td>{task.agent_type}</td>
                <td>
                  <StatusBadge status={task.status} />
                </td>
                <td>{task.trigger}</td>
                <td>
                  {task.attempts}/{task.max_attempts}
                </td>
                <td>{new Date(task.created_at).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
