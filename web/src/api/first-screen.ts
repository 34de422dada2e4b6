import type { QueryClient } from '@tanstack/react-query';
import { inboxFiltersOf, inboxListQuery, INBOX_PAGE_SIZE } from '../pages/inbox-query';
import { csrfToken, refreshAccessToken } from './client';

/**
 * The first screen of a signed-in page load waits on three round trips in a row if each starts when the
 * component that needs it mounts: the refresh (the access token), /me (the role, which decides the layout),
 * then the inbox list. This starts the refresh before React renders and, once it succeeds, the inbox list
 * alongside /me, into the cache entry the inbox page reads: two round trips instead of three.
 */
export function restoreSignIn(queryClient: QueryClient): Promise<boolean> {
  const restored = csrfToken() ? refreshAccessToken() : Promise.resolve(false);
  void restored.then((signedIn) => {
    const path = window.location.pathname;
    if (signedIn && (path === '/' || path === '/inbox' || path.startsWith('/inbox/'))) {
      void queryClient.prefetchQuery(inboxListQuery(inboxFiltersOf(window.location.search), INBOX_PAGE_SIZE));
    }
  });
  return restored;
}
