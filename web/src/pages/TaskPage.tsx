import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { api, currentAccessToken } from '../api/client';
import { webSocketUrl } from '../api/live';
import { useSession } from '../api/session';
import type { EventEnvelope, Task, TaskLogLine } from '../api/types';
import { ProblemMessage } from '../components/ProblemMessage';
import { StatusBadge } from '../components/StatusBadge';

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * One task, followed live over /ws/tasks/{id}: a snapshot (the task and its latest log lines), then every
 * progress, log and status event until the task finishes and the server closes the socket.
 */
function useTaskStream(id: string) {
  const [task, setTask] = useState<Task>();
  const [logs, setLogs] = useState<TaskLogLine[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'finished' | 'reconnecting'>('connecting');
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const token = currentAccessToken();
    if (!token) return;
    let finished = false;
    const socket = new WebSocket(webSocketUrl(`/ws/tasks/${id}`));
    socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token }));
    socket.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as
        { type: 'snapshot'; task: Task; logs: TaskLogLine[] } | { type: 'authenticated' } | EventEnvelope;
      if (data.type === 'snapshot' && 'logs' in data) {
        setTask(data.task);
        setLogs(data.logs);
        setState(FINAL.has(data.task.status) ? 'finished' : 'live');
      } else if ('topic' in data) {
        const payload = data.data as { task?: Task; progress?: number } & Partial<TaskLogLine>;
        if (data.type === 'task.log') {
          const line = payload as TaskLogLine;
          setLogs((current) => (current.some((entry) => entry.id === line.id) ? current : [...current, line]));
        } else if (data.type === 'task.progress' && payload.progress !== undefined) {
          setTask((current) => current && { ...current, progress: payload.progress ?? current.progress });
        } else if (payload.task) {
          setTask(payload.task);
        }
      }
    };
    socket.onclose = (event) => {
      if (event.code === 1000 || event.code === 4404) {
        finished = true;
        setState('finished');
        return;
      }
      if (!finished) {
        setState('reconnecting');
        setTimeout(() => setGeneration((current) => current + 1), 2000);
      }
    };
    return () => {
      finished = true;
      socket.close(1000);
    };
  }, [id, generation]);
  return { task, logs, state };
}

export default function TaskPage() {
  const { id } = useParams<{ id: string }>();
  const session = useSession();
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const fetched = useQuery({ queryKey: ['tasks', 'one', id], queryFn: () => api<Task>(`/api/v1/tasks/${id}`) });
  const stream = useTaskStream(id);
  const task = stream.task ?? fetched.data;
  const cancel = useMutation({
    mutationFn: () => api<Task>(`/api/v1/tasks/${id}/cancel`, { method: 'POST' }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['tasks'] }),
  });
  const retry = useMutation({
    mutationFn: () => api<Task>(`/api/v1/tasks/${id}/retry`, { method: 'POST' }),
    onSuccess: (created) => navigate(`/tasks/${created.id}`),
  });
  return (
    <section>
      <p>
        <Link href="/tasks">← Tasks</Link>
      </p>
      <h1>Task {id.slice(0, 8)}</h1>
      <ProblemMessage error={fetched.error} />
      {task && (
        <>
          <p>
            <StatusBadge status={task.status} /> {task.agent_type} · {task.trigger} · attempt {task.attempts}/
            {task.max_attempts}
            {task.progress !== null && ` · ${task.progress}%`}
            {task.retry_of && (
              <>
                {' '}
                · retry of <Link href={`/tasks/${task.retry_of}`}>{task.retry_of.slice(0, 8)}</Link>
              </>
            )}
          </p>
          {session.can('agents:run') && (
            <div className="actions">
              {!FINAL.has(task.status) && (
                <button type="button" className="danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
                  Cancel
                </button>
              )}
              {(task.status === 'failed' || task.status === 'cancelled') && (
                <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending}>
                  Retry
                </button>
              )}
            </div>
          )}
          <ProblemMessage error={cancel.error ?? retry.error} />
          <h2>Input</h2>
          <pre className="output">{JSON.stringify(task.input, null, 2)}</pre>
          {task.result !== null && task.result !== undefined && (
            <>
              <h2>Result</h2>
              <pre className="output">{JSON.stringify(task.result, null, 2)}</pre>
            </>
          )}
          {task.error !== null && task.error !== undefined && (
            <>
              <h2>Error</h2>
              <pre className="output">{JSON.stringify(task.error, null, 2)}</pre>
            </>
          )}
        </>
      )}
      <h2>
        Logs{' '}
        <span className="muted small" data-testid="task-stream-state">
          ({stream.state})
        </span>
      </h2>
      <ol className="logs" aria-live="polite" data-testid="task-logs">
        {stream.logs.map((line) => (
          <li key={line.id} className={`log-${line.level}`}>
            <time dateTime={line.at}>{new Date(line.at).toLocaleTimeString()}</time> [{line.level}] {line.message}
          </li>
        ))}
      </ol>
    </section>
  );
}
