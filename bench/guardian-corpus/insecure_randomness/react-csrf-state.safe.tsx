// expect: safe insecure_randomness CWE-338
export function OAuthButton({ clientId }: { clientId: string }) {
  const start = () => {
    const state = crypto.randomUUID();
    sessionStorage.setItem('oauth_state', state);
    window.location.assign(`https://auth.example.com/authorize?client_id=${clientId}&state=${state}`);
  };
  return <button onClick={start}>Sign in</button>;
}
