import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api } from '../api/client';
import type { Project } from '../api/types';
import { ProblemMessage } from '../components/ProblemMessage';
import { StatusBadge } from '../components/StatusBadge';

/** Every project, newest first, with where its pipeline stands. */
export default function ProjectsPage() {
  const projects = useQuery({
    queryKey: ['projects', 'list'],
    queryFn: () => api<Project[]>('/api/v1/projects', { query: { limit: 100 } }),
  });
  return (
    <section>
      <h1>Projects</h1>
      <ProblemMessage error={projects.error} />
      {projects.data && projects.data.length === 0 && (
        <p className="muted">No projects yet: create one with POST /api/v1/projects.</p>
      )}
      {projects.data && projects.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Project</th>
              <th scope="col">Status</th>
              <th scope="col">Stage</th>
              <th scope="col">Run</th>
              <th scope="col">Tokens</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {projects.data.map((project) => (
              <tr key={project.id}>
                <td>
                  <Link href={`/projects/${project.id}`}>{project.name}</Link>
                </td>
                <td>
                  <StatusBadge status={project.status} />
                </td>
                <td>{project.current_stage ?? '—'}</td>
                <td>{project.run}</td>
                <td>{project.token_usage.all_runs.total_tokens.toLocaleString()}</td>
                <td>{new Date(project.created_at).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
