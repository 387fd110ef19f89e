// Sign-in form: e-mail + password → POST /api/login. The error is announced (role="alert").
import { useState } from 'preact/hooks';
import { useActions, useStore } from '../hooks/use-store.js';

export function LoginScreen() {
  const { login } = useActions();
  const status = useStore((s) => s.auth.status);
  const error = useStore((s) => s.auth.error);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const isBusy = status === 'signing-in';
  return (
    <main id="main" class="login">
      <h1>Parley Console</h1>
      <form
        class="card login-form"
        aria-describedby={error === undefined ? undefined : 'login-error'}
        onSubmit={(e) => {
          e.preventDefault();
          if (!isBusy) void login(email, password);
        }}
      >
        <h2>Sign in</h2>
        <div class="field">
          <label for="login-email">E-mail</label>
          <input id="login-email" type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="login-password">Password</label>
          <input
            id="login-password"
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        {error !== undefined && (
          <p id="login-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={isBusy}>
          {isBusy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
