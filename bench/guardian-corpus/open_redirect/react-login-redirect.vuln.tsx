// expect: vulnerable open_redirect CWE-601
import { useEffect } from 'react';

export function AfterLogin({ loggedIn }: { loggedIn: boolean }) {
  useEffect(() => {
    if (!loggedIn) return;
    const next = new URLSearchParams(window.location.search).get('next');
    window.location.assign(next ?? '/');
  }, [loggedIn]);
  return <p>Signing you in…</p>;
}
