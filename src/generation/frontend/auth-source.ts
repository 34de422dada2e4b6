// web/src/auth.tsx, for apps with accounts: the sign-in and register page, and the header's session controls.

export const authSource = `import { useEffect, useState, type FormEvent } from 'react';
import { clearToken, login, onTokenChange, readToken, register, storeToken } from './api';
import { ErrorMessage } from './forms';
import { Link, navigate, queryParameter } from './router';

export function useSignedIn(): boolean {
  const [signedIn, setSignedIn] = useState(() => readToken() !== undefined);
  useEffect(() => onTokenChange(() => setSignedIn(readToken() !== undefined)), []);
  return signedIn;
}

export function SessionControls() {
  const signedIn = useSignedIn();
  return signedIn ? (
    <button type="button" data-testid="sign-out" onClick={clearToken}>
      Sign out
    </button>
  ) : (
    <Link to="/sign-in" testId="sign-in-link">
      Sign in
    </Link>
  );
}

export function SignInPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const signedIn = useSignedIn();

  const enter = (action: typeof login) => {
    setBusy(true);
    setError(undefined);
    action({ email, password }).then(
      (token) => {
        storeToken(token);
        setBusy(false);
        const next = queryParameter('next');
        navigate(next !== undefined && next.startsWith('/') ? next : '/');
      },
      (failure: unknown) => {
        setError(failure);
        setBusy(false);
      },
    );
  };
  const signIn = (event: FormEvent) => {
    event.preventDefault();
    enter(login);
  };
  const createAccount = (event: { currentTarget: HTMLButtonElement }) => {
    if (event.currentTarget.form?.reportValidity() === false) return;
    enter(register);
  };

  return (
    <section data-testid="sign-in-page">
      <h2>Sign in</h2>
      {signedIn ? <p data-testid="signed-in">You are signed in.</p> : null}
      <form data-testid="sign-in-form" onSubmit={signIn}>
        <div className="field">
          <label htmlFor="auth-email">Email</label>
          <input
            id="auth-email"
            data-testid="auth-email"
            type="email"
            autoComplete="username"
            required
            maxLength={254}
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="auth-password">Password</label>
          <input
            id="auth-password"
            data-testid="auth-password"
            type="password"
            autoComplete="current-password"
            required
            minLength={8}
            maxLength={200}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <ErrorMessage error={error} />
        <button type="submit" data-testid="sign-in" disabled={busy}>
          Sign in
        </button>
        <button type="button" data-testid="register" disabled={busy} onClick={createAccount}>
          Create an account
        </button>
      </form>
    </section>
  );
}
`;
