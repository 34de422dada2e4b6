import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect } from 'react';
import { Redirect, Route, Switch } from 'wouter';
import { live, useLiveEvents } from './api/live';
import { useSession } from './api/session';
import type { EventEnvelope } from './api/types';
import { Layout } from './components/Layout';
import { InboxPage } from './pages/InboxPage';
import { SignInPage } from './pages/SignInPage';

const TasksPage = lazy(() => import('./pages/TasksPage'));
const TaskPage = lazy(() => import('./pages/TaskPage'));
const RepositoriesPage = lazy(() => import('./pages/RepositoriesPage'));
const AgentsPage = lazy(() => import('./pages/AgentsPage'));
const SettingsPage = lazy(() => import('./pages/SettingsPage'));
const ProjectsPage = lazy(() => import('./pages/ProjectsPage'));
const ProjectPage = lazy(() => import('./pages/ProjectPage'));

/** Which cached queries an event makes stale. */
function LiveInvalidation() {
  const queryClient = useQueryClient();
  const onEvent = useCallback(
    (event: EventEnvelope) => {
      if (event.topic === '*') {
        void queryClient.invalidateQueries();
        return;
      }
      const root = event.topic.split('/')[0]!;
      if (root === 'proposals') void queryClient.invalidateQueries({ queryKey: ['proposals'] });
      if (root === 'tasks') void queryClient.invalidateQueries({ queryKey: ['tasks'] });
      if (root === 'agents' || root === 'tasks') void queryClient.invalidateQueries({ queryKey: ['agents'] });
      if (root === 'guardian') void queryClient.invalidateQueries({ queryKey: ['repositories'] });
      if (root === 'projects') void queryClient.invalidateQueries({ queryKey: ['projects'] });
      if (root === 'deployments') {
        // A running app's log lines come one event each: they refresh only that deployment's open log.
        const id = event.topic.split('/')[1];
        if (event.type === 'deployment.log')
          void queryClient.invalidateQueries({ queryKey: ['deployments', id, 'logs'] });
        else void queryClient.invalidateQueries({ queryKey: ['deployments'] });
      }
    },
    [queryClient],
  );
  useLiveEvents(onEvent);
  return null;
}

export function App() {
  const session = useSession();
  const canReadAgents = session.can('agents:read');
  const canReadProjects = session.can('projects:read');

  useEffect(() => {
    if (session.state !== 'signed-in') return;
    const topics = canReadAgents ? ['proposals', 'agents', 'tasks', 'guardian'] : ['proposals'];
    if (canReadProjects) topics.push('projects', 'deployments');
    live.start(topics);
    return () => live.stop();
  }, [session.state, canReadAgents, canReadProjects]);

  if (session.state === 'loading') {
    return (
      <main className="center" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  if (session.state === 'signed-out') return <SignInPage />;
  return (
    <Layout>
      <LiveInvalidation />
      <Suspense fallback={<p aria-busy="true">Loading…</p>}>
        <Switch>
          <Route path="/">
            <Redirect to="/inbox" replace />
          </Route>
          <Route path="/inbox" component={InboxPage} />
          <Route path="/inbox/:id" component={InboxPage} />
          <Route path="/tasks" component={TasksPage} />
          <Route path="/tasks/:id" component={TaskPage} />
          <Route path="/repositories" component={RepositoriesPage} />
          <Route path="/agents" component={AgentsPage} />
          <Route path="/projects" component={ProjectsPage} />
          <Route path="/projects/:id" component={ProjectPage} />
          <Route path="/settings" component={SettingsPage} />
          <Route>
            <section>
              <h1>Not found</h1>
              <p>There is no page at this address.</p>
            </section>
          </Route>
        </Switch>
      </Suspense>
    </Layout>
  );
}
