// expect: safe open_redirect CWE-601
import { useEffect } from 'react';

const PAGES: Record<string, string> = { billing: '/billing', settings: '/settings' };

export function AfterLogin({ loggedIn }: { loggedIn: boolean }) {
  useEffect(() => {
    if (!loggedIn) return;
    const next = new URLSearchParams(window.location.search).get('next') ?? '';
    window.location.assign(PAGES[next] ?? '/');
  }, [loggedIn]);
  return <p>Signing you in…</p>;
}
