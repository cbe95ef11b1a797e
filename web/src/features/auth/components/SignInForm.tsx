import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { type FormEvent, useRef, useState } from 'react';
import { ApiError } from '../../../api/client.ts';
import { type Credentials, useSignIn } from '../hooks/use-session.ts';

const REMEMBER = 'amends.signin';

function remembered(): { store: string; email: string } {
  try {
    const v = JSON.parse(localStorage.getItem(REMEMBER) ?? '{}') as { store?: unknown; email?: unknown };
    return { store: typeof v.store === 'string' ? v.store : '', email: typeof v.email === 'string' ? v.email : '' };
  } catch {
    return { store: '', email: '' };
  }
}

function failureText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'invalid_credentials') return 'That store, e-mail and password do not match an account. Check them and try again.';
    if (err.status === 429) return err.message || 'Too many attempts. Wait a few minutes, then try again.';
    return err.message;
  }
  return 'Could not sign in. Try again.';
}

/** Store, e-mail and password; errors appear in place, and the first field with a problem gets the focus. */
export function SignInForm({ onSignedIn }: { onSignedIn: () => void }) {
  const initial = remembered();
  const [values, setValues] = useState<Credentials>({ store: initial.store, email: initial.email, password: '' });
  const [missing, setMissing] = useState<Partial<Record<keyof Credentials, string>>>({});
  const signIn = useSignIn();
  const refs = {
    store: useRef<HTMLInputElement>(null),
    email: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problems: Partial<Record<keyof Credentials, string>> = {};
    if (!values.store.trim()) problems.store = 'Enter your store’s id, e.g. demo';
    if (!/^\S+@\S+$/.test(values.email.trim())) problems.email = 'Enter the e-mail address you sign in with';
    if (!values.password) problems.password = 'Enter your password';
    setMissing(problems);
    const first = (['store', 'email', 'password'] as const).find((k) => problems[k]);
    if (first) {
      refs[first].current?.focus();
      return;
    }
    const creds = { store: values.store.trim(), email: values.email.trim().toLowerCase(), password: values.password };
    signIn.mutate(creds, {
      onSuccess: () => {
        localStorage.setItem(REMEMBER, JSON.stringify({ store: creds.store, email: creds.email }));
        onSignedIn();
      },
      onError: () => {
        setValues((v) => ({ ...v, password: '' }));
        refs.password.current?.focus();
      },
    });
  };

  const set = (k: keyof Credentials) => (e: { currentTarget: HTMLInputElement }) => {
    const value = e.currentTarget.value;
    setValues((v) => ({ ...v, [k]: value }));
    if (missing[k]) setMissing((m) => ({ ...m, [k]: undefined }));
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Sign in">
      <Stack gap="md">
        {signIn.isError ? (
          <Alert color="red" variant="light" role="alert" title="Not signed in">
            {failureText(signIn.error)}
          </Alert>
        ) : null}
        <TextInput
          ref={refs.store}
          label="Store"
          description="The store id your admin gave you"
          autoComplete="organization"
          autoCapitalize="none"
          spellCheck={false}
          value={values.store}
          onChange={set('store')}
          error={missing.store}
          required
          autoFocus={!initial.store}
        />
        <TextInput
          ref={refs.email}
          label="E-mail"
          type="email"
          autoComplete="username"
          value={values.email}
          onChange={set('email')}
          error={missing.email}
          required
        />
        <PasswordInput
          ref={refs.password}
          label="Password"
          autoComplete="current-password"
          value={values.password}
          onChange={set('password')}
          error={missing.password}
          required
          autoFocus={Boolean(initial.store && initial.email)}
        />
        <Button type="submit" loading={signIn.isPending} fullWidth>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}
