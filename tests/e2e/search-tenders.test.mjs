// Consultations in the search, through the real server (docs/search.md): a
// buyer publishes through the API, and the consultation is searchable within
// milliseconds (the follower is woken by the ledger watcher, not by a timer)
// by a word of its title, its CPV division and its deadline; an amendment
// changes its wording, a cancellation its status; /recherche shows it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, tempDir } from './harness.mjs';
import { addAccount, client, draft, login, siret } from './procedure.mjs';

const BUYER = { siret: siret('2135023880001'), name: 'Commune de Rennes' };

let server;
let call;
let token;
let id;
const deadline = new Date(Date.now() + 30 * 86_400_000);  // in 30 days
const day = (d) => d.toISOString().slice(0, 10);
const addDays = (d, n) => new Date(d.getTime() + n * 86_400_000);

// Searches again (no sleep beyond 5 ms between tries) until `ok(body)`; returns
// the body and the milliseconds it took from `since`.
async function searchUntil(query, ok, since = Date.now()) {
  for (;;) {
    const r = await call('GET', `/api/v1/search?${query}`);
    assert.equal(r.status, 200, r.text);
    if (ok(r.body)) return { body: r.body, ms: Date.now() - since };
    assert.ok(Date.now() - since < 10_000, `not found in 10 s: ${query} → ${r.text}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const has = (body) => body.data.some((i) => i.uid === id);

before(async () => {
  const dataDir = tempDir();
  addAccount(dataDir, { email: 'agent@rennes.fr', name: 'Agent', org: BUYER.siret, orgName: BUYER.name, role: 'buyer_agent' });
  server = await startServer({ dataDir, args: ['--rate-limit', '0'] });
  call = client(server.base);
  token = await login(call, 'agent@rennes.fr');
});

after(async () => {
  assert.equal(await server.stop(), 0);
  server.cleanup();
});

test('a published consultation is searchable within milliseconds', async () => {
  const created = await call('POST', '/api/v1/tenders', {
    token,
    json: { ...draft({ deadline: deadline.toISOString(), title: 'Taille des tilleuls du cours Kennedy' }), place: { code: '35', type: 'Code département' } },
  });
  assert.equal(created.status, 201, created.text);
  id = created.body.id;
  // A draft is not public: not in the index.
  const before = await call('GET', '/api/v1/search?q=tilleuls');
  assert.equal(before.body.total, 0);

  const t0 = Date.now();
  const published = await call('POST', `/api/v1/tenders/${id}/publish`, { token });
  assert.equal(published.status, 200, published.text);
  const answered = Date.now() - t0;
  const found = await searchUntil('q=tilleuls', has, t0);
  // From the publish request to a search that finds it: the request, then
  // the watcher's wake-up and the follower's commit, with no timer between.
  assert.ok(found.ms < 2000, `searchable after ${found.ms} ms`);
  const item = found.body.data.find((i) => i.uid === id);
  assert.equal(item.type, 'consultation');
  assert.equal(item.status, 'open');
  assert.equal(item.state, 'published');
  assert.equal(item.cpv, '77211400-6');
  assert.equal(item.department, '35');
  assert.equal(item.buyer.id, BUYER.siret);
  assert.equal(item.buyer.name, BUYER.name);
  assert.equal(item.amount, 50000);
  assert.equal(item.deadline, deadline.toISOString());  // the consultation JSON's form
  assert.match(item.snippet, /<mark>tilleuls<\/mark>/);
  assert.equal(item.links.self, `/api/v1/tenders/${id}`);
  assert.equal((await call('GET', item.links.self)).status, 200);
  console.log(`publish answered in ${answered} ms, searchable ${found.ms} ms after the request`);
});

test('found by CPV division, type, status and deadline range, not outside them', async () => {
  const ids = (body) => body.data.map((i) => i.uid);
  let r = await call('GET', '/api/v1/search?cpv=77&type=consultation');
  assert.deepEqual(ids(r.body), [id]);
  r = await call('GET', '/api/v1/search?cpv=45&type=consultation');
  assert.deepEqual(ids(r.body), []);
  r = await call('GET', '/api/v1/search?q=tilleuls&type=contract');
  assert.equal(r.body.total, 0);
  r = await call('GET', '/api/v1/search?status=open');
  assert.deepEqual(ids(r.body), [id]);
  r = await call('GET', `/api/v1/search?deadline_from=${day(addDays(deadline, -2))}&deadline_to=${day(addDays(deadline, 2))}`);
  assert.deepEqual(ids(r.body), [id]);
  r = await call('GET', `/api/v1/search?deadline_from=${day(addDays(deadline, 3))}`);
  assert.deepEqual(ids(r.body), []);
  r = await call('GET', `/api/v1/search?deadline_to=${day(addDays(deadline, -3))}`);
  assert.deepEqual(ids(r.body), []);
  r = await call('GET', '/api/v1/search?sort=deadline&type=consultation');
  assert.deepEqual(ids(r.body), [id]);

  // Bad values are named.
  for (const [name, value] of [['type', 'tender'], ['status', 'published'], ['deadline_from', 'demain']]) {
    const bad = await call('GET', `/api/v1/search?${name}=${value}`);
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.headers.get('content-type'), 'application/problem+json');
    assert.equal(bad.body.field, name);
  }
});

test('an amendment is found by its new wording, a cancellation by its status', async () => {
  const amended = await call('POST', `/api/v1/tenders/${id}/amendments`, {
    token,
    json: {
      consultation: { ...draft({ deadline: deadline.toISOString(), title: 'Taille des marronniers du cours Kennedy' }), place: { code: '35', type: 'Code département' } },
      summary: 'Les arbres sont des marronniers',
    },
  });
  assert.equal(amended.status, 200, amended.text);
  await searchUntil('q=marronniers', has);
  assert.equal((await call('GET', '/api/v1/search?q=tilleuls')).body.total, 0);

  const cancelled = await call('POST', `/api/v1/tenders/${id}/cancel`, { token, json: { reason: 'Budget supprimé' } });
  assert.equal(cancelled.status, 200, cancelled.text);
  const r = await searchUntil('q=marronniers', (b) => b.data[0]?.status === 'cancelled');
  assert.equal(r.body.data[0].state, 'cancelled');
  assert.equal((await call('GET', '/api/v1/search?status=open')).body.total, 0);
  assert.deepEqual((await call('GET', '/api/v1/search?status=cancelled')).body.data.map((i) => i.uid), [id]);
});

test('the search page shows consultations with their status and deadline', async () => {
  const r = await call('GET', '/recherche?q=marronniers&type=consultation');
  assert.equal(r.status, 200);
  assert.match(r.text, new RegExp(`href="/consultations/${id}"`));
  assert.match(r.text, /Consultation · sans suite/);
  assert.match(r.text, /date limite le/);
  assert.match(r.text, /<option value="consultation" selected>/);
});
