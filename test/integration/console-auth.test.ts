import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { setUserPassword } from '../../src/stores/sessions.service.ts';
import { ensureUser } from '../../src/stores/stores.service.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp } from '../helper.ts';

const PASSWORD = 'tea-and-biscuits-42';
const HOUR = 3_600_000;

describe.each(engines)('console sign-in: sessions, CSRF, lockout [%s]', (engine) => {
  const available = engineAvailable(engine);
  const clock = new ManualClock('2026-05-04T09:00:00Z');
  let t: TestApp;

  beforeAll(async () => {
    if (!available) return;
    t = await buildTestApp(engine, { clock });
    for (const [email, role] of [
      ['manager@acme.test', 'manager'],
      ['agent@acme.test', 'agent'],
      ['lock@acme.test', 'agent'],
      ['demoted@acme.test', 'manager'],
      ['limits@acme.test', 'agent'],
      ['expiry@acme.test', 'agent'],
    ] as const) {
      await setUserPassword(t.database.db, clock, { storeId: 'acme', email, role, password: PASSWORD, name: email.split('@')[0] });
    }
    await ensureUser(t.database.db, clock, 'acme', { email: 'nopass@acme.test', role: 'agent' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const login = (body: { store: string; email: string; password: string }, remoteAddress = '127.0.0.1') =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: body, remoteAddress });

  /** Signs in and returns the cookie value and the CSRF token. */
  async function signIn(email: string, password = PASSWORD): Promise<{ cookie: string; csrf: string; body: Record<string, unknown> }> {
    const res = await login({ store: 'acme', email, password });
    expect(res.statusCode, res.body).toBe(200);
    const c = res.cookies.find((x) => x.name === 'amends_session');
    expect(c).toBeDefined();
    return { cookie: c!.value, csrf: res.json().csrfToken, body: res.json() };
  }
  const withCookie = (cookie: string, extra: Record<string, string> = {}) => ({ cookie: `amends_session=${cookie}`, ...extra });

  it.runIf(available)('signs in with the right password: the user, the store, a CSRF token and a hardened cookie', async () => {
    const res = await login({ store: 'acme', email: 'Manager@ACME.test', password: PASSWORD });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      user: { id: expect.stringMatching(/^usr_/), email: 'manager@acme.test', name: 'manager', role: 'manager', storeId: 'acme' },
      store: { id: 'acme', name: 'Acme Goods', timezone: 'UTC', currency: 'USD' },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const raw = String(res.headers['set-cookie']);
    expect(raw).toMatch(/^amends_session=[A-Za-z0-9_-]{43};/);
    expect(raw).toContain('HttpOnly');
    expect(raw).toContain('SameSite=Lax');
    expect(raw).toContain('Path=/');
    expect(raw).toContain(`Max-Age=${7 * 24 * 3600}`);
    expect(raw).not.toContain('Secure');

    // The database keeps only the secret's SHA-256, and the argon2id hash of the password.
    const secret = res.cookies.find((c) => c.name === 'amends_session')!.value;
    const rows = await t.database.db.selectFrom('sessions').selectAll().where('user_id', '=', body.user.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(rows[0]).toMatchObject({ store_id: 'acme', csrf_token: body.csrfToken, expires_at: '2026-05-04T21:00:00.000Z' });
    const user = await t.database.db.selectFrom('users').selectAll().where('id', '=', body.user.id).executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(user.last_login_at).toBe(clock.now().toISOString());
  });

  it.runIf(available)('answers a wrong password, an unknown store, an unknown e-mail and a user without a password alike', async () => {
    const answers = [
      await login({ store: 'acme', email: 'manager@acme.test', password: 'wrong-password-here' }),
      await login({ store: 'nowhere', email: 'manager@acme.test', password: PASSWORD }),
      await login({ store: 'other', email: 'manager@acme.test', password: PASSWORD }),
      await login({ store: 'acme', email: 'nobody@acme.test', password: PASSWORD }),
      // A user who was never given a password (assignable on cases, but no sign-in).
      await login({ store: 'acme', email: 'nopass@acme.test', password: 'any-password-at-all' }),
    ];
    for (const r of answers) {
      expect(r.statusCode, r.body).toBe(401);
      expect(r.json()).toEqual({ error: { code: 'invalid_credentials', message: 'the store, e-mail or password is wrong' } });
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    const missing = await login({ store: 'acme', email: 'manager@acme.test' } as never);
    expect(missing.statusCode).toBe(400);
  });

  it.runIf(available)('GET /auth/me answers the session, and 401 without one or with an API token', async () => {
    const s = await signIn('agent@acme.test');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: withCookie(s.cookie) });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toEqual(s.body);
    expect(me.body).not.toMatch(/argon|password/i);

    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: withCookie('forged') })).statusCode).toBe(401);
    const bearer = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth(t.tokens.admin) });
    expect(bearer.statusCode).toBe(401);
  });

  it.runIf(available)('GET /auth/session answers the session or null, never 401, and needs no token', async () => {
    const s = await signIn('agent@acme.test');
    const live = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: withCookie(s.cookie) });
    expect(live.statusCode, live.body).toBe(200);
    expect(live.json()).toEqual({ session: s.body });
    for (const headers of [{}, withCookie('forged'), auth(t.tokens.admin)]) {
      const none = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers });
      expect(none.statusCode, none.body).toBe(200);
      expect(none.json()).toEqual({ session: null });
    }
    // Signed out, the same cookie no longer names a session.
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: withCookie(s.cookie, { 'x-csrf-token': s.csrf }),
    });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: withCookie(s.cookie) });
    expect(after.json()).toEqual({ session: null });
  });

  it.runIf(available)('every API route takes the cookie: reads as is, writes only with the session’s x-csrf-token', async () => {
    const s = await signIn('manager@acme.test');
    const cases = await t.app.inject({ method: 'GET', url: '/api/v1/cases', headers: withCookie(s.cookie) });
    expect(cases.statusCode, cases.body).toBe(200);
    const store = await t.app.inject({ method: 'GET', url: '/api/v1/store', headers: withCookie(s.cookie) });
    expect(store.json().caller).toMatchObject({ role: 'manager', userId: (s.body.user as { id: string }).id });

    const event = (id: string) => ({
      events: [ev(id, 'order.placed', { orderId: id, customerId: 'c1', total: { amount: 100, currency: 'USD' } })],
    });
    const post = (id: string, headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/api/v1/events', headers, payload: event(id) });
    const stored = async (id: string) =>
      (await t.app.inject({ method: 'GET', url: `/api/v1/events/${id}`, headers: auth(t.tokens.admin) })).statusCode;

    const none = await post('csrf-none', withCookie(s.cookie));
    expect(none.statusCode).toBe(403);
    expect(none.json().error.code).toBe('csrf_failed');
    const wrong = await post('csrf-wrong', withCookie(s.cookie, { 'x-csrf-token': `${s.csrf.slice(0, -1)}x` }));
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().error.code).toBe('csrf_failed');
    const other = await signIn('manager@acme.test');
    const foreign = await post('csrf-foreign', withCookie(s.cookie, { 'x-csrf-token': other.csrf }));
    expect(foreign.statusCode).toBe(403);
    expect(await stored('csrf-none')).toBe(404);
    expect(await stored('csrf-wrong')).toBe(404);
    expect(await stored('csrf-foreign')).toBe(404);

    const ok = await post('csrf-right', withCookie(s.cookie, { 'x-csrf-token': s.csrf }));
    expect(ok.statusCode, ok.body).toBeLessThan(300);
    expect(await stored('csrf-right')).toBe(200);

    // API tokens need no CSRF token: a page cannot make a browser send an Authorization header.
    const bearer = await post('bearer-write', auth(t.tokens.manager));
    expect(bearer.statusCode, bearer.body).toBeLessThan(300);
    expect(await stored('bearer-write')).toBe(200);
    // An Authorization header decides on its own, cookie or not.
    const badBearer = await t.app.inject({
      method: 'GET',
      url: '/api/v1/cases',
      headers: { ...withCookie(s.cookie), authorization: 'Bearer amd_nope' },
    });
    expect(badBearer.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/cases' })).json().error.code).toBe('unauthorized');
  });

  it.runIf(available)('signing out deletes the session: the old cookie is refused everywhere', async () => {
    const s = await signIn('agent@acme.test');
    const noCsrf = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: withCookie(s.cookie) });
    expect(noCsrf.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: withCookie(s.cookie) })).statusCode).toBe(200);

    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: withCookie(s.cookie, { 'x-csrf-token': s.csrf }),
    });
    expect(out.statusCode).toBe(204);
    const cleared = String(out.headers['set-cookie']);
    expect(cleared).toMatch(/^amends_session=;/);
    expect(cleared).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: withCookie(s.cookie) })).statusCode).toBe(401);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/cases', headers: withCookie(s.cookie) });
    expect(after.statusCode).toBe(401);
    expect(await t.database.db.selectFrom('sessions').select('id').where('csrf_token', '=', s.csrf).execute()).toEqual([]);
    // Signing out again, or without a session, is harmless.
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: withCookie(s.cookie) })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout' })).statusCode).toBe(204);
  });

  it.runIf(available)('locks an account for 15 minutes after 5 wrong passwords, then lets it in again', async () => {
    const from = '10.0.0.1';
    const wrong = () => login({ store: 'acme', email: 'lock@acme.test', password: 'not-the-password' }, from);
    const right = () => login({ store: 'acme', email: 'lock@acme.test', password: PASSWORD }, from);
    for (let i = 0; i < 5; i++) expect((await wrong()).statusCode).toBe(401);
    const locked = await right();
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('too_many_attempts');
    expect(locked.headers['retry-after']).toBe('900');
    expect(locked.headers['set-cookie']).toBeUndefined();
    const row = await t.database.db.selectFrom('users').selectAll().where('email', '=', 'lock@acme.test').executeTakeFirstOrThrow();
    expect(row.locked_until).toBe(new Date(clock.now().getTime() + 15 * 60_000).toISOString());

    clock.advance(14 * 60_000);
    const still = await right();
    expect(still.statusCode).toBe(429);
    expect(still.headers['retry-after']).toBe('60');
    clock.advance(60_000);
    const back = await right();
    expect(back.statusCode, back.body).toBe(200);
    const reset = await t.database.db.selectFrom('users').selectAll().where('email', '=', 'lock@acme.test').executeTakeFirstOrThrow();
    expect(reset).toMatchObject({ failed_logins: 0, locked_until: null });

    // A success in between starts the count again: four wrong, one right, four wrong is no lock.
    for (let i = 0; i < 4; i++) expect((await wrong()).statusCode).toBe(401);
    expect((await right()).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await wrong()).statusCode).toBe(401);
    expect((await right()).statusCode).toBe(200);
  });

  it.runIf(available)('an unknown account locks like a real one, so a 429 reveals nothing', async () => {
    const ghost = () => login({ store: 'acme', email: 'ghost@acme.test', password: 'anything-at-all' }, '10.0.0.2');
    for (let i = 0; i < 5; i++) expect((await ghost()).statusCode).toBe(401);
    const r = await ghost();
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBe('900');
  });

  it.runIf(available)('limits failed sign-ins per client address, whatever accounts they name', async () => {
    const from = '10.0.0.3';
    for (let i = 0; i < 20; i++) {
      const r = await login({ store: 'acme', email: `guess-${i}@acme.test`, password: 'guessing-away' }, from);
      expect(r.statusCode).toBe(401);
    }
    const blocked = await login({ store: 'acme', email: 'limits@acme.test', password: PASSWORD }, from);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected, nor is the account itself.
    expect((await login({ store: 'acme', email: 'limits@acme.test', password: PASSWORD }, '10.0.0.4')).statusCode).toBe(200);
    clock.advance(15 * 60_000);
    expect((await login({ store: 'acme', email: 'limits@acme.test', password: PASSWORD }, from)).statusCode).toBe(200);
  });

  it.runIf(available)('reads the role from the user row on every request: a change counts at once', async () => {
    const s = await signIn('demoted@acme.test');
    const role = async () =>
      (await t.app.inject({ method: 'GET', url: '/api/v1/store', headers: withCookie(s.cookie) })).json().caller.role as string;
    const write = (id: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: withCookie(s.cookie, { 'x-csrf-token': s.csrf }),
        payload: { events: [ev(id, 'order.cancelled', { orderId: 'o-9' })] },
      });
    expect(await role()).toBe('manager');
    expect((await write('demote-1')).statusCode).toBeLessThan(300);
    await t.database.db.updateTable('users').set({ role: 'agent' }).where('email', '=', 'demoted@acme.test').execute();
    expect(await role()).toBe('agent');
    const refused = await write('demote-2');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: withCookie(s.cookie) });
    expect(me.json().user.role).toBe('agent');
    // A password reset signs the user out everywhere.
    await setUserPassword(t.database.db, clock, {
      storeId: 'acme',
      email: 'demoted@acme.test',
      role: 'agent',
      password: 'a-brand-new-password',
    });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/store', headers: withCookie(s.cookie) })).statusCode).toBe(401);
  });

  it.runIf(available)('ends a session after 12 idle hours, slides while used, and ends it after 7 days regardless', async () => {
    const idle = await signIn('expiry@acme.test');
    const me = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: withCookie(cookie) });
    clock.advance(12 * HOUR - 1000);
    expect((await me(idle.cookie)).statusCode).toBe(200);
    clock.advance(12 * HOUR - 1000);
    // Used a second before its idle end, so it lives on.
    expect((await me(idle.cookie)).statusCode).toBe(200);
    clock.advance(12 * HOUR);
    expect((await me(idle.cookie)).statusCode).toBe(401);
    expect(await t.database.db.selectFrom('sessions').select('id').where('csrf_token', '=', idle.csrf).execute()).toEqual([]);

    const busy = await signIn('expiry@acme.test');
    for (let h = 0; h < 7 * 24 - 6; h += 6) {
      clock.advance(6 * HOUR);
      expect((await me(busy.cookie)).statusCode, `after ${h + 6} h`).toBe(200);
    }
    clock.advance(6 * HOUR);
    expect((await me(busy.cookie)).statusCode).toBe(401);
  });

  it.runIf(available)('never shows a password hash: not in the user list, not in me', async () => {
    const s = await signIn('manager@acme.test');
    const users = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: withCookie(s.cookie) });
    expect(users.statusCode).toBe(200);
    expect(users.json().users.map((u: { email: string }) => u.email)).toContain('manager@acme.test');
    for (const u of users.json().users) {
      expect(Object.keys(u).sort()).toEqual(['canSignIn', 'createdAt', 'disabledAt', 'email', 'id', 'lastLoginAt', 'name', 'role']);
    }
    expect(users.body).not.toMatch(/argon|password|hash/i);
    const viaToken = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: auth(t.tokens.admin) });
    expect(viaToken.body).not.toMatch(/argon|password|hash/i);
  });

  it.runIf(available)('marks the cookie Secure with AMENDS_COOKIE_SECURE=true', async () => {
    const config = loadConfig({ AMENDS_DB: t.dbUrl, LOG_LEVEL: 'silent', AMENDS_COOKIE_SECURE: 'true' } as NodeJS.ProcessEnv);
    const { app } = await buildApp({ config, database: t.database, clock, logger: false });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { store: 'acme', email: 'manager@acme.test', password: PASSWORD },
      });
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await app.close();
    }
  });
});
