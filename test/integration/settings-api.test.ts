/**
 * The console's Settings API through the real app on both engines: the store profile, people (create,
 * role, password, deactivate and reactivate, the last-admin rule), API tokens (list, create once, revoke
 * at once), settings audited, and the template preview. Every refusal names its field and writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.ts';
import { setUserPassword } from '../../src/stores/sessions.service.ts';
import { ensureUser } from '../../src/stores/stores.service.ts';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

const PASSWORD = 'settings-password-0001';

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, as inject().json() gives them; each test reads the fields it checks.
type Json = any;
interface Reply {
  status: number;
  body: Json;
}

describe.each(engines)('settings API: store, people, tokens, templates [%s]', (engine) => {
  const available = engineAvailable(engine);
  const clock = new ManualClock('2026-05-04T09:00:00Z');
  let t: TestApp;
  let adminId: string;
  let address = 0;

  beforeAll(async () => {
    if (!available) return;
    t = await buildTestApp(engine, { clock });
    const db = t.database.db;
    adminId = (
      await setUserPassword(db, clock, { storeId: 'acme', email: 'owner@acme.test', role: 'admin', password: PASSWORD, name: 'Olga Owner' })
    ).user.id;
    await setUserPassword(db, clock, { storeId: 'acme', email: 'mia@acme.test', role: 'manager', password: PASSWORD });
  });
  afterAll(async () => {
    await t?.close();
  });

  type Who = { token: string } | { cookie: string; csrf: string };
  async function call(method: string, url: string, who: Who, payload?: unknown): Promise<Reply> {
    const headers: Record<string, string> =
      'token' in who ? auth(who.token) : { cookie: `amends_session=${who.cookie}`, 'x-csrf-token': who.csrf };
    const res = await t.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.body ? res.json() : {} };
  }
  const admin = () => ({ token: t.tokens.admin });
  const manager = () => ({ token: t.tokens.manager });
  const agent = () => ({ token: t.tokens.agent });

  /** Signs in (each from its own address, so the per-address failure limit never interferes). */
  async function login(email: string, password: string): Promise<{ status: number; cookie: string; csrf: string; userId: string }> {
    address++;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { store: 'acme', email, password },
      remoteAddress: `10.0.${Math.floor(address / 250)}.${address % 250}`,
    });
    const body = res.body ? res.json() : {};
    return {
      status: res.statusCode,
      cookie: res.cookies.find((c) => c.name === 'amends_session')?.value ?? '',
      csrf: body.csrfToken ?? '',
      userId: body.user?.id ?? '',
    };
  }

  const audit = async (subjectType: string, subjectId: string) =>
    (await call('GET', `/api/v1/audit?subjectType=${subjectType}&subjectId=${subjectId}`, admin())).body.entries as {
      action: string;
      actor: { type: string; id: string | null };
      before: unknown;
      after: unknown;
    }[];
  const userRow = (id: string) => t.database.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  // ---------------------------------------------------------------------------
  // Store profile

  it.runIf(available)('PUT /store: an admin renames the store and changes its time zone, audited; bad input names the field', async () => {
    const ok = await call('PUT', '/api/v1/store', admin(), { name: 'Acme Goods & Co', timezone: 'Europe/Madrid' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ id: 'acme', name: 'Acme Goods & Co', timezone: 'Europe/Madrid', currency: 'USD' });
    expect((await call('GET', '/api/v1/store', agent())).body).toMatchObject({ name: 'Acme Goods & Co', timezone: 'Europe/Madrid' });
    // Business hours follow the store's zone unless they set their own.
    const settings = await call('GET', '/api/v1/store/settings', agent());
    expect(settings.body.effective.calendar.timezone).toBe('Europe/Madrid');
    const entries = await audit('store', 'acme');
    expect(entries[0]).toMatchObject({
      action: 'store.updated',
      actor: { type: 'token' },
      before: { name: 'Acme Goods', timezone: 'UTC' },
      after: { name: 'Acme Goods & Co', timezone: 'Europe/Madrid' },
    });

    const badZone = await call('PUT', '/api/v1/store', admin(), { name: 'Never saved', timezone: 'Mars/Olympus' });
    expect(badZone.status).toBe(400);
    expect(badZone.body.error.path).toBe('timezone');
    const empty = await call('PUT', '/api/v1/store', admin(), {});
    expect(empty.status).toBe(400);
    const unknown = await call('PUT', '/api/v1/store', admin(), { colour: 'blue' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('colour');
    expect((await call('PUT', '/api/v1/store', manager(), { name: 'Manager shop' })).status).toBe(403);
    expect((await call('PUT', '/api/v1/store', agent(), { name: 'Agent shop' })).status).toBe(403);
    expect((await call('GET', '/api/v1/store', agent())).body.name).toBe('Acme Goods & Co');
  });

  it.runIf(available)('PUT /store: the currency may change until money exists, then 409 and nothing else is saved', async () => {
    const early = await call('PUT', '/api/v1/store', admin(), { currency: 'EUR' });
    expect(early.status, JSON.stringify(early.body)).toBe(200);
    expect(early.body.currency).toBe('EUR');
    expect((await call('PUT', '/api/v1/store', admin(), { currency: 'usd' })).body.error.path).toBe('currency');
    expect((await call('PUT', '/api/v1/store', admin(), { currency: 'USD' })).status).toBe(200);

    const placed = await call('POST', '/api/v1/events', admin(), {
      events: [ev('ord-cur-1', 'order.placed', { orderId: 'ord-cur-1', customerId: 'cus-cur', total: usd(1000) })],
    });
    expect(placed.status).toBe(201);
    const locked = await call('PUT', '/api/v1/store', admin(), { name: 'Renamed with the currency', currency: 'EUR' });
    expect(locked.status).toBe(409);
    expect(locked.body.error).toMatchObject({ code: 'currency_locked', path: 'currency' });
    expect((await call('GET', '/api/v1/store', admin())).body).toMatchObject({ name: 'Acme Goods & Co', currency: 'USD' });
    // The same currency is not a change.
    expect((await call('PUT', '/api/v1/store', admin(), { currency: 'USD', timezone: 'UTC' })).status).toBe(200);
  });

  // ---------------------------------------------------------------------------
  // People

  it.runIf(available)('POST /users: 201 with a one-time password that signs in; a chosen password is not echoed', async () => {
    const made = await call('POST', '/api/v1/users', admin(), { email: ' New.Agent@ACME.test ', name: 'Nia New', role: 'agent' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.user).toMatchObject({
      id: expect.stringMatching(/^usr_/),
      email: 'new.agent@acme.test',
      name: 'Nia New',
      role: 'agent',
      canSignIn: true,
      disabledAt: null,
      lastLoginAt: null,
    });
    expect(made.body.password).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(made.body)).not.toMatch(/argon2/);
    const s = await login('new.agent@acme.test', made.body.password);
    expect(s.status).toBe(200);
    expect(s.userId).toBe(made.body.user.id);
    expect((await audit('user', made.body.user.id))[0]).toMatchObject({
      action: 'user.created',
      after: { email: 'new.agent@acme.test', role: 'agent' },
    });

    const chosen = await call('POST', '/api/v1/users', admin(), { email: 'chosen@acme.test', role: 'manager', password: PASSWORD });
    expect(chosen.status).toBe(201);
    expect(chosen.body.password).toBeNull();
    expect((await login('chosen@acme.test', PASSWORD)).status).toBe(200);

    const users = (await call('GET', '/api/v1/users', agent())).body.users as { email: string }[];
    expect(users.map((u) => u.email)).toEqual(expect.arrayContaining(['new.agent@acme.test', 'chosen@acme.test']));
  });

  it.runIf(available)('POST /users: 409 for a taken e-mail, 400 naming the field, 403 below admin; nothing written', async () => {
    const count = async () => (await t.database.db.selectFrom('users').select('id').where('store_id', '=', 'acme').execute()).length;
    const before = await count();
    const dup = await call('POST', '/api/v1/users', admin(), { email: 'OWNER@acme.test', role: 'agent' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'email_taken', path: 'email' });
    const badEmail = await call('POST', '/api/v1/users', admin(), { email: 'not-an-address', role: 'agent' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error.path).toBe('email');
    const badRole = await call('POST', '/api/v1/users', admin(), { email: 'role@acme.test', role: 'owner' });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.path).toBe('role');
    const shortPassword = await call('POST', '/api/v1/users', admin(), { email: 'short@acme.test', role: 'agent', password: 'short' });
    expect(shortPassword.status).toBe(400);
    expect(shortPassword.body.error.path).toBe('password');
    expect((await call('POST', '/api/v1/users', manager(), { email: 'm@acme.test', role: 'agent' })).status).toBe(403);
    expect((await call('POST', '/api/v1/users', agent(), { email: 'a@acme.test', role: 'agent' })).status).toBe(403);
    expect(await count()).toBe(before);
    // Another store's admin sees none of this store's people.
    const other = (await call('GET', '/api/v1/users', { token: t.other.token })).body.users as unknown[];
    expect(other).toEqual([]);
  });

  it.runIf(available)('PATCH /users/:id: role and name change at once for live sessions; the last admin cannot be demoted', async () => {
    const u = (await call('POST', '/api/v1/users', admin(), { email: 'promote@acme.test', role: 'agent', password: PASSWORD })).body.user;
    const s = await login('promote@acme.test', PASSWORD);
    expect((await call('GET', '/api/v1/tokens', s)).status).toBe(403);
    const up = await call('PATCH', `/api/v1/users/${u.id}`, admin(), { role: 'admin', name: 'Pat Promoted' });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    expect(up.body.user).toMatchObject({ role: 'admin', name: 'Pat Promoted' });
    // The session reads the role on every request.
    expect((await call('GET', '/api/v1/tokens', s)).status).toBe(200);
    expect((await audit('user', u.id))[0]).toMatchObject({ action: 'user.updated', before: { role: 'agent' }, after: { role: 'admin' } });

    // Two admins: one may step down; the other, now the last, may not.
    const down = await call('PATCH', `/api/v1/users/${u.id}`, s, { role: 'manager' });
    expect(down.status).toBe(200);
    expect((await call('GET', '/api/v1/tokens', s)).status).toBe(403);
    const last = await call('PATCH', `/api/v1/users/${adminId}`, admin(), { role: 'manager' });
    expect(last.status).toBe(409);
    expect(last.body.error).toMatchObject({ code: 'last_admin', path: 'role' });
    expect((await userRow(adminId)).role).toBe('admin');

    expect((await call('PATCH', `/api/v1/users/${u.id}`, admin(), {})).status).toBe(400);
    expect((await call('PATCH', `/api/v1/users/${u.id}`, admin(), { role: 'boss' })).body.error.path).toBe('role');
    expect((await call('PATCH', `/api/v1/users/${u.id}`, manager(), { role: 'agent' })).status).toBe(403);
    expect((await call('PATCH', '/api/v1/users/usr_nobody', admin(), { role: 'agent' })).status).toBe(404);
    // A user of another store is not found from here.
    expect((await call('PATCH', `/api/v1/users/${u.id}`, { token: t.other.token }, { role: 'agent' })).status).toBe(404);
  });

  it.runIf(available)('password: an admin resets (generated, sessions end); a person changes their own with the current one', async () => {
    const u = (await call('POST', '/api/v1/users', admin(), { email: 'reset@acme.test', role: 'agent', password: PASSWORD })).body.user;
    const first = await login('reset@acme.test', PASSWORD);
    const second = await login('reset@acme.test', PASSWORD);

    // Another agent may not reset it.
    const byAgent = await call('POST', `/api/v1/users/${u.id}/password`, agent(), { password: 'agent-chosen-password' });
    expect(byAgent.status).toBe(403);

    // Self-service: the current password is required and checked; the session in use stays, the other ends.
    const noCurrent = await call('POST', `/api/v1/users/${u.id}/password`, first, { password: 'a-new-password-0002' });
    expect(noCurrent.status).toBe(400);
    expect(noCurrent.body.error.path).toBe('currentPassword');
    const wrong = await call('POST', `/api/v1/users/${u.id}/password`, first, {
      password: 'a-new-password-0002',
      currentPassword: 'not-my-password',
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({ code: 'wrong_password', path: 'currentPassword' });
    expect((await userRow(u.id)).failed_logins).toBe(1);
    const weak = await call('POST', `/api/v1/users/${u.id}/password`, first, { password: 'short', currentPassword: PASSWORD });
    expect(weak.status).toBe(400);
    expect(weak.body.error.path).toBe('password');
    expect((await login('reset@acme.test', PASSWORD)).status).toBe(200);
    const mine = await call('POST', `/api/v1/users/${u.id}/password`, first, {
      password: 'a-new-password-0002',
      currentPassword: PASSWORD,
    });
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.password).toBeNull();
    expect(mine.body.sessionsEnded).toBe(2);
    expect((await call('GET', '/api/v1/auth/me', first)).status).toBe(200);
    expect((await call('GET', '/api/v1/auth/me', second)).status).toBe(401);
    expect((await login('reset@acme.test', PASSWORD)).status).toBe(401);
    expect((await login('reset@acme.test', 'a-new-password-0002')).status).toBe(200);

    // The admin's reset: a generated password, every session of the user ends.
    const reset = await call('POST', `/api/v1/users/${u.id}/password`, admin(), {});
    expect(reset.status).toBe(200);
    expect(reset.body.password).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await call('GET', '/api/v1/auth/me', first)).status).toBe(401);
    expect((await login('reset@acme.test', 'a-new-password-0002')).status).toBe(401);
    expect((await login('reset@acme.test', reset.body.password)).status).toBe(200);
    const actions = (await audit('user', u.id)).map((e) => e.action);
    expect(actions.slice(0, 2)).toEqual(['user.password_reset', 'user.password_changed']);
    expect(JSON.stringify(await audit('user', u.id))).not.toContain(reset.body.password);
  });

  it.runIf(available)('DELETE /users/:id deactivates: no sign-in, session and token refused at once, cases back in the queue', async () => {
    const u = (
      await call('POST', '/api/v1/users', admin(), { email: 'leaver@acme.test', name: 'Lee Leaver', role: 'agent', password: PASSWORD })
    ).body.user;
    const session = await login('leaver@acme.test', PASSWORD);
    expect((await call('GET', '/api/v1/cases', session)).status).toBe(200);
    const tok = await call('POST', '/api/v1/tokens', admin(), { name: 'Lee’s script', role: 'agent', userId: u.id });
    expect(tok.status, JSON.stringify(tok.body)).toBe(201);
    // Used once, so the token is in the verification cache when it is revoked.
    expect((await call('GET', '/api/v1/cases', { token: tok.body.token })).status).toBe(200);

    // An open case assigned to them, and a customer they manage.
    const events = await call('POST', '/api/v1/events', admin(), {
      events: [
        ev('cus-leaver', 'customer.upserted', { customerId: 'cus-leaver', email: 'c@example.com' }),
        ev('cmp-leaver', 'complaint.received', {
          complaintId: 'cmp-leaver',
          customerId: 'cus-leaver',
          channel: 'email',
          body: 'My parcel is late.',
        }),
      ],
    });
    expect(events.status).toBe(201);
    const caseId = ((await call('GET', '/api/v1/cases?customerId=cus-leaver', admin())).body.cases as { id: string }[])[0]!.id;
    expect((await call('POST', `/api/v1/cases/${caseId}/assign`, admin(), { assigneeId: u.id })).status).toBe(200);
    expect((await call('PUT', '/api/v1/customers/cus-leaver/relationship-manager', admin(), { userId: u.id })).status).toBe(200);

    // Refusals first: none of them changes anything.
    expect((await call('DELETE', `/api/v1/users/${u.id}`, manager())).status).toBe(403);
    expect((await call('DELETE', `/api/v1/users/${u.id}`, agent())).status).toBe(403);
    expect((await call('DELETE', '/api/v1/users/usr_nobody', admin())).status).toBe(404);
    const ruled = await call('PUT', '/api/v1/store/settings', admin(), {
      routing: { rules: [{ name: 'Late parcels to Lee', when: { kinds: ['delivery_late'] }, queue: 'general', assignTo: u.id }] },
    });
    expect(ruled.status, JSON.stringify(ruled.body)).toBe(200);
    const blocked = await call('DELETE', `/api/v1/users/${u.id}`, admin());
    expect(blocked.status).toBe(409);
    expect(blocked.body.error).toMatchObject({ code: 'user_in_routing_rule', path: 'routing.rules[0].assignTo' });
    expect((await userRow(u.id)).disabled_at).toBeNull();
    expect((await call('GET', '/api/v1/cases', session)).status).toBe(200);
    expect((await call('PUT', '/api/v1/store/settings', admin(), {})).status).toBe(200);

    const gone = await call('DELETE', `/api/v1/users/${u.id}`, admin());
    expect(gone.status, JSON.stringify(gone.body)).toBe(200);
    expect(gone.body).toMatchObject({
      user: { id: u.id, disabledAt: clock.now().toISOString(), canSignIn: false },
      sessionsEnded: 1,
      tokensRevoked: 1,
      casesUnassigned: 1,
      customersReleased: 1,
    });
    expect((await call('GET', '/api/v1/cases', session)).status).toBe(401);
    expect((await call('GET', '/api/v1/cases', { token: tok.body.token })).status).toBe(401);
    expect((await login('leaver@acme.test', PASSWORD)).status).toBe(401);
    const c = (await call('GET', `/api/v1/cases/${caseId}`, admin())).body;
    expect(c.assigneeId).toBeNull();
    expect(
      c.timeline.some(
        (e: { type: string; data: { to?: unknown; reason?: unknown } }) =>
          e.type === 'assignee.changed' && e.data.to === null && e.data.reason,
      ),
    ).toBe(true);
    expect((await call('GET', '/api/v1/customers/cus-leaver', admin())).body.relationshipManagerId).toBeNull();

    // Hidden from the people work can go to; listed, flagged, on request; nothing can be assigned to them.
    const active = (await call('GET', '/api/v1/users', agent())).body.users as { id: string }[];
    expect(active.some((x) => x.id === u.id)).toBe(false);
    const all = (await call('GET', '/api/v1/users?include=disabled', agent())).body.users as { id: string; disabledAt: string | null }[];
    expect(all.find((x) => x.id === u.id)?.disabledAt).toBe(clock.now().toISOString());
    const assign = await call('POST', `/api/v1/cases/${caseId}/assign`, admin(), { assigneeId: u.id });
    expect(assign.status).toBe(400);
    expect(assign.body.error.path).toBe('assigneeId');
    const rule = await call('PUT', '/api/v1/store/settings', admin(), {
      routing: { rules: [{ when: {}, queue: 'general', assignTo: u.id }] },
    });
    expect(rule.status).toBe(400);
    expect(rule.body.error.path).toBe('routing.rules[0].assignTo');
    expect((await call('PATCH', `/api/v1/users/${u.id}`, admin(), { role: 'manager' })).status).toBe(409);
    const again = await call('POST', '/api/v1/users', admin(), { email: 'leaver@acme.test', role: 'agent' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/deactivated/);
    expect((await audit('user', u.id))[0]).toMatchObject({ action: 'user.deactivated', after: { casesUnassigned: 1, tokensRevoked: 1 } });
    // Deactivating twice answers the same and writes nothing new.
    expect((await call('DELETE', `/api/v1/users/${u.id}`, admin())).body.sessionsEnded).toBe(0);
    expect((await audit('user', u.id)).filter((e) => e.action === 'user.deactivated')).toHaveLength(1);

    // Reactivated: signs in again; the revoked token stays revoked.
    const back = await call('POST', `/api/v1/users/${u.id}/reactivate`, admin());
    expect(back.status).toBe(200);
    expect(back.body.user).toMatchObject({ disabledAt: null, canSignIn: true });
    expect((await login('leaver@acme.test', PASSWORD)).status).toBe(200);
    expect((await call('GET', '/api/v1/cases', { token: tok.body.token })).status).toBe(401);
  });

  it.runIf(available)('the last active admin cannot be deactivated, nor can anyone deactivate themself', async () => {
    const self = await login('owner@acme.test', PASSWORD);
    const own = await call('DELETE', `/api/v1/users/${adminId}`, self);
    expect(own.status).toBe(409);
    expect(own.body.error.code).toBe('cannot_disable_self');
    // Only one active admin user (the others were demoted above): an admin token cannot remove them.
    const admins = (await call('GET', '/api/v1/users', admin())).body.users.filter((u: { role: string }) => u.role === 'admin');
    expect(admins.map((u: { id: string }) => u.id)).toEqual([adminId]);
    const last = await call('DELETE', `/api/v1/users/${adminId}`, admin());
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('last_admin');
    expect((await userRow(adminId)).disabled_at).toBeNull();
    expect((await call('GET', '/api/v1/auth/me', self)).status).toBe(200);

    // With a second admin, the first may go.
    const second = (await call('POST', '/api/v1/users', admin(), { email: 'second-admin@acme.test', role: 'admin' })).body.user;
    const s2 = await login('owner@acme.test', PASSWORD);
    expect((await call('PATCH', `/api/v1/users/${adminId}`, admin(), { role: 'manager' })).status).toBe(200);
    expect((await call('GET', '/api/v1/tokens', s2)).status).toBe(403);
    const secondSession = await login(
      'second-admin@acme.test',
      (await call('POST', `/api/v1/users/${second.id}/password`, admin(), {})).body.password,
    );
    expect((await call('PATCH', `/api/v1/users/${adminId}`, secondSession, { role: 'admin' })).status).toBe(200);
    expect((await call('DELETE', `/api/v1/users/${second.id}`, s2)).status).toBe(200);
    expect((await call('GET', '/api/v1/auth/me', secondSession)).status).toBe(401);
  });

  // ---------------------------------------------------------------------------
  // API tokens

  it.runIf(available)('tokens: listed without their secret, created once (201), revoked with a 401 at once', async () => {
    const self = await login('owner@acme.test', PASSWORD);
    const made = await call('POST', '/api/v1/tokens', self, { name: 'Warehouse sync', role: 'manager' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({
      id: expect.stringMatching(/^tok_/),
      name: 'Warehouse sync',
      role: 'manager',
      user: null,
      createdBy: { id: adminId, email: 'owner@acme.test' },
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(made.body.token).toMatch(/^amd_/);
    expect(made.body.prefix).toBe(made.body.token.slice(0, 8));
    const secret = made.body.token as string;

    expect((await call('GET', '/api/v1/cases', { token: secret })).status).toBe(200);
    const list = await call('GET', '/api/v1/tokens', self);
    expect(list.status).toBe(200);
    const listed = (list.body.tokens as Json[]).find((x) => x.id === made.body.id);
    expect(listed).toMatchObject({ name: 'Warehouse sync', lastUsedAt: clock.now().toISOString(), revokedAt: null });
    expect(listed.token).toBeUndefined();
    const hash = (
      await t.database.db.selectFrom('api_tokens').select('token_hash').where('id', '=', made.body.id).executeTakeFirstOrThrow()
    ).token_hash;
    expect(JSON.stringify(list.body)).not.toContain(hash);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect((list.body.tokens as { id: string }[])[0]!.id).toBe(made.body.id);

    // Refused below admin, and bad input names the field.
    for (const who of [manager(), agent(), { token: secret }]) {
      expect((await call('GET', '/api/v1/tokens', who)).status).toBe(403);
      expect((await call('POST', '/api/v1/tokens', who, { name: 'x', role: 'agent' })).status).toBe(403);
      expect((await call('DELETE', `/api/v1/tokens/${made.body.id}`, who)).status).toBe(403);
    }
    expect((await call('POST', '/api/v1/tokens', admin(), { role: 'agent' })).body.error.path).toBe('name');
    expect((await call('POST', '/api/v1/tokens', admin(), { name: 'x', role: 'root' })).body.error.path).toBe('role');
    const aboveUser = await call('POST', '/api/v1/tokens', admin(), { name: 'x', role: 'admin', userId: t.agentUserId });
    expect(aboveUser.status).toBe(400);
    expect(aboveUser.body.error.path).toBe('role');
    expect((await call('POST', '/api/v1/tokens', admin(), { name: 'x', role: 'agent', userId: 'usr_nobody' })).body.error.path).toBe(
      'userId',
    );

    // Revoked: 401 on the very next request, though it was just verified (and cached).
    expect((await call('GET', '/api/v1/cases', { token: secret })).status).toBe(200);
    const revoked = await call('DELETE', `/api/v1/tokens/${made.body.id}`, self);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toBe(clock.now().toISOString());
    const refused = await call('GET', '/api/v1/cases', { token: secret });
    expect(refused.status).toBe(401);
    expect((await call('DELETE', `/api/v1/tokens/${made.body.id}`, self)).body.revokedAt).toBe(revoked.body.revokedAt);
    expect((await call('DELETE', '/api/v1/tokens/tok_nobody', self)).status).toBe(404);
    // Another store cannot see or revoke it.
    expect((await call('DELETE', `/api/v1/tokens/${made.body.id}`, { token: t.other.token })).status).toBe(404);
    const other = (await call('GET', '/api/v1/tokens', { token: t.other.token })).body.tokens as { id: string }[];
    expect(other.some((x) => x.id === made.body.id)).toBe(false);
    const actions = (await audit('token', made.body.id)).map((e) => e.action);
    expect(actions).toEqual(['token.revoked', 'token.created']);
  });

  it.runIf(available)('demoting a user revokes their tokens above the new role', async () => {
    const u = (await call('POST', '/api/v1/users', admin(), { email: 'demote-tok@acme.test', role: 'manager' })).body.user;
    const high = (await call('POST', '/api/v1/tokens', admin(), { name: 'high', role: 'manager', userId: u.id })).body;
    const low = (await call('POST', '/api/v1/tokens', admin(), { name: 'low', role: 'agent', userId: u.id })).body;
    expect((await call('GET', '/api/v1/cases', { token: high.token })).status).toBe(200);
    const r = await call('PATCH', `/api/v1/users/${u.id}`, admin(), { role: 'agent' });
    expect(r.body.tokensRevoked).toBe(1);
    expect((await call('GET', '/api/v1/cases', { token: high.token })).status).toBe(401);
    expect((await call('GET', '/api/v1/cases', { token: low.token })).status).toBe(200);
  });

  // ---------------------------------------------------------------------------
  // Settings and templates

  it.runIf(available)('PUT /store/settings is audited with before and after; a refused one writes neither', async () => {
    const body = { sla: { firstResponse: { urgent: 30 } }, businessHours: { weekly: { mon: [{ start: '08:00', end: '12:00' }] } } };
    const ok = await call('PUT', '/api/v1/store/settings', manager(), body);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.effective.sla.firstResponse.urgent).toBe(30);
    const entries = await audit('settings', 'acme');
    expect(entries[0]).toMatchObject({ action: 'settings.updated', after: body });
    const n = entries.length;
    const bad = await call('PUT', '/api/v1/store/settings', manager(), {
      businessHours: { weekly: { mon: [{ start: '12:00', end: '08:00' }] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.path).toBe('businessHours.weekly.mon[0].end');
    expect(await audit('settings', 'acme')).toHaveLength(n);
    expect((await call('GET', '/api/v1/store/settings', agent())).body.settings).toEqual(body);
    expect((await call('PUT', '/api/v1/store/settings', agent(), {})).status).toBe(403);
  });

  it.runIf(available)('templates: defaults and variables; a preview of the default, of a draft, and a broken draft named', async () => {
    const cat = await call('GET', '/api/v1/store/templates', agent());
    expect(cat.status).toBe(200);
    expect(cat.body.defaults['en/ack']).toContain('{{');
    expect(cat.body.defaults['es/ack']).toContain('{{');
    expect(Object.keys(cat.body.variables)).toEqual(expect.arrayContaining(['firstName', 'dueText', 'signature']));

    const def = await call('POST', '/api/v1/store/templates/preview', agent(), { key: 'en/ack' });
    expect(def.status, JSON.stringify(def.body)).toBe(200);
    expect(def.body.template).toBe('en/ack');
    expect(def.body.body).toContain('Maria');
    expect(def.body.subject).not.toBe('');

    const draft = await call('POST', '/api/v1/store/templates/preview', agent(), {
      key: 'es/ack',
      source: 'Subject: Sobre {{topic}}\n\nHola {{firstName}}, le escribimos {{dueText}}. {{signature}}',
    });
    expect(draft.status).toBe(200);
    expect(draft.body.template).toBe('store:es/ack');
    expect(draft.body.subject).toMatch(/^Sobre /);
    expect(draft.body.body).toMatch(/^Hola Maria, le escribimos .+El equipo de Acme Goods & Co$/);

    const broken = await call('POST', '/api/v1/store/templates/preview', agent(), { key: 'en/ack', source: 'Hi {{#if firstName}}' });
    expect(broken.status).toBe(400);
    expect(broken.body.error).toMatchObject({ code: 'invalid_template', path: 'source' });
    const reply = await call('POST', '/api/v1/store/templates/preview', agent(), {
      key: 'saved-reply',
      source: 'Hi {{firstName}}, {{orderRef}}',
    });
    expect(reply.body).toMatchObject({ subject: null, body: 'Hi Maria, #1001', template: 'saved-reply' });
    expect((await call('POST', '/api/v1/store/templates/preview', agent(), { key: 'saved-reply' })).body.error.path).toBe('source');
  });
  it.runIf(available)('a token never does more than its user may now, and a passwordless admin is not the last admin', async () => {
    const db = t.database.db;
    const u = (await call('POST', '/api/v1/users', admin(), { email: 'capped@acme.test', role: 'admin' })).body.user;
    const tok = (await call('POST', '/api/v1/tokens', admin(), { name: 'capped', role: 'admin', userId: u.id })).body;
    expect((await call('GET', '/api/v1/tokens', { token: tok.token })).status).toBe(200);
    // The user's role drops behind the API's back (no revocation ran): the token follows the user at once.
    await db.updateTable('users').set({ role: 'agent' }).where('id', '=', u.id).execute();
    // Any revocation in this process sends cached tokens back to the database.
    const throwaway = (await call('POST', '/api/v1/tokens', admin(), { name: 'throwaway', role: 'agent' })).body;
    expect((await call('DELETE', `/api/v1/tokens/${throwaway.id}`, admin())).status).toBe(200);
    expect((await call('GET', '/api/v1/tokens', { token: tok.token })).status).toBe(403);
    expect((await call('GET', '/api/v1/cases', { token: tok.token })).status).toBe(200);

    // An admin made for an API token (`amends token create --user`) cannot sign in: it does not keep the console's last admin.
    await ensureUser(db, clock, 'acme', { email: 'robot@acme.test', role: 'admin' });
    const admins = (await call('GET', '/api/v1/users', admin())).body.users.filter(
      (x: { role: string; disabledAt: string | null }) => x.role === 'admin' && x.disabledAt === null,
    );
    const signInAdmins = admins.filter((x: { email: string }) => x.email !== 'robot@acme.test');
    expect(signInAdmins).toHaveLength(1);
    const last = await call('PATCH', `/api/v1/users/${signInAdmins[0].id}`, admin(), { role: 'manager' });
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('last_admin');
  });
});
