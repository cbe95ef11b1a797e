import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, engineAvailable, engines, ev, type TestApp, usd } from '../helper.ts';

/** The value of one sample in Prometheus text, 0 when absent (counters start unseen). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (want.every(([k, v]) => have[k] === v) && Object.keys(have).length === want.length) return Number(m[3]);
  }
  return 0;
}

/**
 * Every (method, path) the app serves, read from Fastify's route tree (printRoutes without
 * common prefixes prints each node's own segment, indented four characters per level).
 */
function registeredRoutes(tree: string): Set<string> {
  const out = new Set<string>();
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const full = stack.join('');
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) {
      if (method && method !== 'HEAD') out.add(`${method} ${full}`);
    }
  }
  return out;
}

describe.each(engines)('HTTP surface [%s]', (engine) => {
  let t: TestApp;
  const available = engineAvailable(engine);

  beforeAll(async () => {
    if (available) t = await buildTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  const scrape = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return res.body;
  };
  const ingest = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/events', headers: auth(t.tokens.manager), payload });

  it.runIf(available)('answers /health with the engine it runs on', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', db: engine });
  });

  it.runIf(available)('exposes request, ingest, duplicate and case metrics', async () => {
    const before = await scrape();
    const healthBefore = sample(before, 'amends_http_requests_total', { method: 'GET', route: '/health', status: '200' });
    await t.app.inject({ method: 'GET', url: '/health' });
    await t.app.inject({ method: 'GET', url: '/health' });

    const placed = [
      ev('m-o-1', 'order.placed', { orderId: 'm-o-1', customerId: 'm-c-1', total: usd(100) }),
      ev('m-o-2', 'order.placed', { orderId: 'm-o-2', customerId: 'm-c-1', total: usd(200) }),
      ev('m-cmp-1', 'complaint.received', { complaintId: 'm-cmp-1', customerId: 'm-c-1', channel: 'api', body: 'Hmm' }),
    ];
    expect((await ingest({ events: placed })).statusCode).toBe(201);
    expect((await ingest(placed[0]!)).json().duplicates).toBe(1);

    const after = await scrape();
    expect(sample(after, 'amends_http_requests_total', { method: 'GET', route: '/health', status: '200' })).toBe(healthBefore + 2);
    expect(sample(after, 'amends_http_requests_total', { method: 'POST', route: '/api/v1/events', status: '201' })).toBe(
      sample(before, 'amends_http_requests_total', { method: 'POST', route: '/api/v1/events', status: '201' }) + 1,
    );
    const ingested = (s: string, type: string) => sample(s, 'amends_events_ingested_total', { type });
    expect(ingested(after, 'order.placed')).toBe(ingested(before, 'order.placed') + 2);
    expect(ingested(after, 'complaint.received')).toBe(ingested(before, 'complaint.received') + 1);
    const dup = (s: string) => sample(s, 'amends_events_duplicate_total', { type: 'order.placed' });
    expect(dup(after)).toBe(dup(before) + 1);
    expect(after).toContain('# TYPE amends_events_duplicate_total counter');

    const counts = (await t.app.inject({ method: 'GET', url: '/api/v1/cases/counts', headers: auth(t.tokens.agent) })).json().byStatus;
    expect(counts.new).toBeGreaterThan(0);
    // The gauge covers every store; only acme has cases here.
    expect(sample(after, 'amends_cases', { status: 'new' })).toBe(counts.new);
    expect(sample(after, 'amends_cases', { status: 'new' })).toBe(sample(before, 'amends_cases', { status: 'new' }) + 1);
  });

  it.runIf(available)('publishes an OpenAPI 3 document listing every /api/v1 route, and only those', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; info: { title: string }; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBeTruthy();

    const documented = new Set<string>();
    for (const [p, ops] of Object.entries(doc.paths)) {
      if (!p.startsWith('/api/v1/')) continue;
      for (const method of Object.keys(ops)) {
        if (['get', 'post', 'put', 'patch', 'delete'].includes(method))
          documented.add(`${method.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`);
      }
    }
    const registered = new Set(
      [...registeredRoutes(t.app.printRoutes({ commonPrefix: false }))].filter((r) => r.split(' ')[1]!.startsWith('/api/v1/')),
    );
    // The tree parser must have seen the routes this suite and its neighbours use.
    for (const r of [
      'POST /api/v1/events',
      'GET /api/v1/events/:id',
      'GET /api/v1/cases',
      'GET /api/v1/cases/counts',
      'POST /api/v1/cases/:id/status',
      'POST /api/v1/cases/:id/assign',
      'POST /api/v1/cases/:id/messages',
      'GET /api/v1/customers/:id',
      'GET /api/v1/orders/:id',
    ]) {
      expect(registered).toContain(r);
    }
    expect([...documented].sort()).toEqual([...registered].sort());
    for (const r of registered) {
      const [method, url] = r.split(' ') as [string, string];
      expect(t.app.hasRoute({ method: method as 'GET', url }), r).toBe(true);
    }
    expect(Object.keys(doc.paths)).not.toContain('/api/v1/refunds');
    expect(t.app.hasRoute({ method: 'GET', url: '/api/v1/refunds' })).toBe(false);
    // Routes document their errors in the §2.8 shape.
    const status = doc.paths['/api/v1/cases/{id}/status'] as { post: { responses: Record<string, unknown> } };
    expect(Object.keys(status.post.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
  });

  it.runIf(available)('serves the API docs as HTML without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/<html/i);
  });

  it.runIf(available)('answers an unknown route with a 404 JSON error', async () => {
    for (const [url, headers] of [
      ['/no/such/page', {}],
      ['/api/v1/refunds', auth(t.tokens.admin)],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url, headers });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json().error).toMatchObject({ code: 'not_found' });
      expect(res.json().error.message).toContain(url);
    }
    const wrongMethod = await t.app.inject({ method: 'DELETE', url: '/api/v1/cases', headers: auth(t.tokens.admin) });
    expect(wrongMethod.statusCode).toBe(404);
    expect(wrongMethod.json().error.code).toBe('not_found');
  });

  it.runIf(available)('answers a malformed JSON body with a 400 JSON error, writing nothing', async () => {
    const before = await t.app.inject({ method: 'GET', url: '/api/v1/events?limit=500', headers: auth(t.tokens.agent) });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...auth(t.tokens.manager), 'content-type': 'application/json' },
      payload: '{"id": "half-an-event", "type": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json().error).toMatchObject({ code: expect.any(String), message: expect.stringMatching(/json/i) });
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/events?limit=500', headers: auth(t.tokens.agent) });
    expect(after.json().events).toEqual(before.json().events);

    const note = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases/case_x/messages',
      headers: { ...auth(t.tokens.agent), 'content-type': 'application/json' },
      payload: '{kind: note}',
    });
    expect(note.statusCode).toBe(400);
    expect(note.json().error.message).toMatch(/json/i);
  });

  it.runIf(available)('names a query parameter of the wrong type', async () => {
    const cases = [
      ['/api/v1/cases?limit=many', 'limit'],
      ['/api/v1/cases?limit=1000', 'limit'],
      ['/api/v1/cases?source=telepathy', 'source'],
      ['/api/v1/cases?createdTo=soon', 'createdTo'],
      ['/api/v1/events?after=-1', 'after'],
      ['/api/v1/events?type=order.exploded', 'type'],
      ['/api/v1/customers?limit=1.5', 'limit'],
    ] as const;
    for (const [url, param] of cases) {
      const res = await t.app.inject({ method: 'GET', url, headers: auth(t.tokens.agent) });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error, url).toMatchObject({ code: 'invalid_request', path: param });
      expect(res.json().error.message, url).toContain(param);
    }
  });

  it.runIf(available)('serves the console at / and its client-side routes, and keeps API 404s as JSON', async () => {
    const built = path.resolve(import.meta.dirname, '../../web/dist/index.html');
    const html = { accept: 'text/html,application/xhtml+xml' };
    for (const url of ['/', '/inbox?queue=mine', '/cases/case_x']) {
      const res = await t.app.inject({ method: 'GET', url, headers: html });
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      if (fs.existsSync(built)) {
        expect(res.statusCode, url).toBe(200);
        expect(res.body, url).toBe(fs.readFileSync(built, 'utf8'));
      } else {
        expect(res.statusCode, url).toBe(503);
        expect(res.body, url).toContain('npm run build:web');
      }
      expect(res.body).toMatch(/<title>[^<]*Amends[^<]*<\/title>/);
    }
    // Unknown webhook, widget and asset paths stay plain JSON 404s, even for a browser (/api/* answers 401 first).
    for (const url of ['/webhooks/nope', '/widget/nope', '/assets/nope.js', '/metricsx']) {
      const res = await t.app.inject({ method: 'GET', url, headers: html });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('not_found');
    }
    // A non-browser GET of an unknown page is a 404 too.
    expect((await t.app.inject({ method: 'GET', url: '/inbox', headers: { accept: 'application/json' } })).statusCode).toBe(404);
  });
});
