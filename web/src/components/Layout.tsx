import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { useLiveState } from '../api/live';
import { useSession } from '../api/session';

const LIVE_LABELS = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', off: 'Offline' } as const;

export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const liveState = useLiveState();
  const [location] = useLocation();
  const links = [
    { href: '/inbox', label: 'Inbox', show: true },
    { href: '/tasks', label: 'Tasks', show: session.can('agents:read') },
    { href: '/repositories', label: 'Repositories', show: session.can('repos:read') },
    { href: '/agents', label: 'Agents', show: session.can('agents:read') },
    { href: '/projects', label: 'Projects', show: session.can('projects:read') },
    { href: '/settings', label: 'Settings', show: true },
  ];
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">lvlup</span>
        <nav aria-label="Main">
          <ul>
            {links
              .filter((link) => link.show)
              .map((link) => (
                <li key={link.href}>
                  <Link href={link.href} aria-current={location.startsWith(link.href) ? 'page' : undefined}>
                    {link.label}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <span className={`live live-${liveState}`} role="status" aria-live="polite" data-testid="live-state">
          {LIVE_LABELS[liveState]}
        </span>
        <span className="who">
          {session.me?.label} <span className="role">({session.me?.role ?? 'key'})</span>
        </span>
        <button type="button" className="secondary" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </header>
      <main>{children}</main>
    </div>
  );
}
