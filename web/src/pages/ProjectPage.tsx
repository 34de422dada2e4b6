import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'wouter';
import { api, downloadFile } from '../api/client';
import { useSession } from '../api/session';
import type { Artifact, Deployment, DeploymentLogLine, Project, ProjectStage } from '../api/types';
import { ProblemMessage } from '../components/ProblemMessage';
import { StatusBadge } from '../components/StatusBadge';

/** The stages a failed run can be retried from (the recovery stage runs by itself after a failure). */
const RETRY_STAGES = [
  'requirements',
  'architecture',
  'api_design',
  'database_design',
  'backend',
  'frontend',
  'infrastructure',
  'build',
  'qa',
  'deploy',
];

const duration = (milliseconds: number | null) =>
  milliseconds === null ? '' : milliseconds < 1000 ? `${milliseconds} ms` : `${(milliseconds / 1000).toFixed(1)} s`;

/**
 * One project: the eleven stages of its pipeline as a timeline (live: stage events refresh it), each with
 * its task (logs), attempts, commit and reason; its artifacts to download; its deployments with status,
 * health, link and log.
 */
export default function ProjectPage() {
  const { id } = useParams<{ id: string }>();
  const session = useSession();
  const canWrite = session.can('projects:write');
  const queryClient = useQueryClient();
  const [fromStage, setFromStage] = useState('');
  const project = useQuery({ queryKey: ['projects', id], queryFn: () => api<Project>(`/api/v1/projects/${id}`) });
  const stages = useQuery({
    queryKey: ['projects', id, 'stages'],
    queryFn: () => api<ProjectStage[]>(`/api/v1/projects/${id}/stages`),
  });
  const artifacts = useQuery({
    queryKey: ['projects', id, 'artifacts'],
    queryFn: () => api<Artifact[]>(`/api/v1/projects/${id}/artifacts`),
  });
  const deployments = useQuery({
    queryKey: ['deployments', 'project', id],
    queryFn: () => api<Deployment[]>('/api/v1/deployments', { query: { project_id: id } }),
  });
  const action = useMutation({
    mutationFn: (name: 'start' | 'retry' | 'cancel') =>
      api(`/api/v1/projects/${id}/${name}`, {
        method: 'POST',
        body: name === 'retry' ? (fromStage ? { from_stage: fromStage } : {}) : undefined,
      }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['projects', id] }),
  });
  const download = useMutation({
    mutationFn: (target: { path: string; name: string }) => downloadFile(target.path, target.name),
  });

  if (project.error) return <ProblemMessage error={project.error} />;
  if (!project.data) return <p aria-busy="true">Loading…</p>;
  const current = project.data;
  // projects:read sees every project; only its owner or an admin runs it (the API says 403 otherwise)
  const canRun = canWrite && (session.can('admin') || current.owner_id === session.me?.user?.id);
  return (
    <section className="project">
      <h1>
        {current.name} <StatusBadge status={current.status} />
      </h1>
      {current.description && <p>{current.description}</p>}
      <p className="muted small">
        run {current.run} · engine {current.engine} · {current.token_usage.run.total_tokens.toLocaleString()} tokens
        this run (${current.token_usage.run.cost_usd.toFixed(4)}),{' '}
        {current.token_usage.all_runs.total_tokens.toLocaleString()} in all
      </p>
      {current.failure && (
        <div className="problem" role="alert">
          <strong>{current.failure.code}</strong>
          {current.failure.stage ? ` at ${current.failure.stage}` : ''}: {current.failure.message}
        </div>
      )}
      {canRun && (
        <div className="actions" role="group" aria-label="Pipeline">
          {current.status === 'draft' && (
            <button type="button" onClick={() => action.mutate('start')} disabled={action.isPending}>
              Start
            </button>
          )}
          {(current.status === 'failed' || current.status === 'cancelled' || current.status === 'succeeded') && (
            <>
              <label>
                From stage
                <select value={fromStage} onChange={(event) => setFromStage(event.target.value)}>
                  <option value="">the failed stage</option>
                  {RETRY_STAGES.map((stage) => (
                    <option key={stage} value={stage}>
                      {stage}
                    </option>
                  ))}
                </select>
              </label>
              <button type="button" onClick={() => action.mutate('retry')} disabled={action.isPending}>
                Retry
              </button>
            </>
          )}
          {current.status === 'running' && (
            <button
              type="button"
              className="secondary"
              onClick={() => action.mutate('cancel')}
              disabled={action.isPending}
            >
              Cancel
            </button>
          )}
        </div>
      )}
      <ProblemMessage error={action.error ?? download.error} />
      {current.repository_id && (
        <button
          type="button"
          className="secondary"
          onClick={() => download.mutate({ path: `/api/v1/projects/${id}/download`, name: `${current.name}.tar.gz` })}
        >
          Download the app (.tar.gz)
        </button>
      )}

      <h2>Stages</h2>
      <ProblemMessage error={stages.error} />
      <ol className="timeline" aria-label="Stages">
        {(stages.data ?? []).map((stage) => (
          <li key={stage.stage} className={`stage stage-${stage.status}`} data-stage={stage.stage}>
            <span className="stage-name">{stage.stage}</span> <StatusBadge status={stage.status} />{' '}
            <span className="muted small">
              {duration(stage.duration_ms)}
              {stage.attempts > 1 ? ` · ${stage.attempts} attempts` : ''}
              {stage.commit ? ` · ${stage.commit.slice(0, 10)}` : ''}
            </span>
            {stage.task_id && (
              <>
                {' '}
                <Link href={`/tasks/${stage.task_id}`}>logs</Link>
              </>
            )}
            {stage.reason && <p className="small">{stage.reason}</p>}
          </li>
        ))}
      </ol>

      <h2>Artifacts</h2>
      <ProblemMessage error={artifacts.error} />
      {artifacts.data && artifacts.data.length === 0 && <p className="muted">None yet.</p>}
      {artifacts.data && artifacts.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Stage</th>
              <th scope="col">Kind</th>
              <th scope="col">Size</th>
              <th scope="col">
                <span className="visually-hidden">Download</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {artifacts.data.map((artifact) => (
              <tr key={artifact.id}>
                <td>{artifact.name}</td>
                <td>{artifact.stage}</td>
                <td>{artifact.kind}</td>
                <td>{artifact.size.toLocaleString()} B</td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Download ${artifact.name}`}
                    onClick={() =>
                      download.mutate({
                        path: `/api/v1/projects/${id}/artifacts/${artifact.id}`,
                        name: artifact.name.split('/').pop() ?? artifact.name,
                      })
                    }
                  >
                    Download
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Deployments</h2>
      <ProblemMessage error={deployments.error} />
      {deployments.data && deployments.data.length === 0 && <p className="muted">Not deployed.</p>}
      {(deployments.data ?? []).map((deployment) => (
        <DeploymentPanel key={deployment.id} deployment={deployment} />
      ))}
    </section>
  );
}

function DeploymentPanel({ deployment }: { deployment: Deployment }) {
  const [showLog, setShowLog] = useState(false);
  const log = useQuery({
    queryKey: ['deployments', deployment.id, 'logs'],
    queryFn: () =>
      api<{ lines: DeploymentLogLine[]; next_cursor: number }>(`/api/v1/deployments/${deployment.id}/logs`, {
        query: { limit: 200 },
      }),
    enabled: showLog,
  });
  const health = deployment.last_health;
  return (
    <article className="deployment" aria-label={`Deployment ${deployment.slug}`}>
      <h3>
        {deployment.slug} <StatusBadge status={deployment.status} />
      </h3>
      <p className="small">
        commit {deployment.commit.slice(0, 10)} · {deployment.restarts} restarts
        {deployment.started_at ? ` · started ${new Date(deployment.started_at).toLocaleString()}` : ''}
        {health ? ` · health ${health.ok ? 'ok' : 'failing'}${health.status ? ` (${health.status})` : ''}` : ''}
        {deployment.status === 'running' && deployment.url && (
          <>
            {' · '}
            {/* The app's own loopback port: /apps/{slug}/ needs a bearer credential, which a browser tab opened
                from a link does not send. */}
            <a href={deployment.url} target="_blank" rel="noreferrer">
              open the app
            </a>
          </>
        )}
        {deployment.proxy_path && (
          <>
            {' · API clients: '}
            <code>{deployment.proxy_path}</code>
          </>
        )}
      </p>
      {deployment.failure && (
        <p className="problem small" role="alert">
          {deployment.failure.code}: {deployment.failure.message}
        </p>
      )}
      <button type="button" className="secondary" onClick={() => setShowLog((shown) => !shown)} aria-expanded={showLog}>
        {showLog ? 'Hide the log' : 'Show the log'}
      </button>
      {showLog && (
        <>
          <ProblemMessage error={log.error} />
          <pre className="log" aria-label={`Log of ${deployment.slug}`}>
            {(log.data?.lines ?? []).map((line) => `${line.at} ${line.source} ${line.line}`).join('\n')}
          </pre>
        </>
      )}
    </article>
  );
}
