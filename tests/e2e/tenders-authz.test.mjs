// The authorization matrix of the procedure's endpoints (docs/tenders.md):
// every role, and anonymous, against every endpoint, with the status each
// must get. Refusals are 401 (no or bad credentials) or 403 problem+json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, tempDir } from './harness.mjs';
import { addAccount, client, draft, login, siret } from './procedure.mjs';

const BUYER_SIRET = siret('2135023880001');
let server;
let call;
const tokens = {};
let tender;

before(async () => {
  const dataDir = tempDir();
  addAccount(dataDir, { email: 'agent@rennes.fr', name: 'Agent', org: BUYER_SIRET, orgName: 'Commune de Rennes', role: 'buyer_agent' });
  addAccount(dataDir, { email: 'agent@autre.fr', name: 'Autre', org: siret('2175000160001'), orgName: 'Autre acheteur', role: 'buyer_agent' });
  addAccount(dataDir, { email: 'contact@acme.fr', name: 'Acme', org: siret('7328293200007'), orgName: 'Acme', role: 'company_rep' });
  addAccount(dataDir, { email: 'admin@limpide.fr', name: 'Admin', role: 'admin' });
  server = await startServer({ dataDir, args: ['--rate-limit', '0'] });
  call = client(server.base);
  tokens.buyer = await login(call, 'agent@rennes.fr');
  tokens.other = await login(call, 'agent@autre.fr');
  tokens.company = await login(call, 'contact@acme.fr');
  tokens.admin = await login(call, 'admin@limpide.fr');
  // A company token limited to private reads: no deposit.
  const narrow = await call('POST', '/api/v1/me/tokens', { token: tokens.company, json: { scopes: ['read'], label: 'lecture' } });
  assert.equal(narrow.status, 201, narrow.text);
  tokens.companyRead = narrow.body.token;
  const deadline = new Date(Date.now() + 3600_000).toISOString();
  const created = await call('POST', '/api/v1/tenders', { token: tokens.buyer, json: draft({ deadline }) });
  const published = await call('POST', `/api/v1/tenders/${created.body.id}/publish`, { token: tokens.buyer });
  assert.equal(published.status, 200, published.text);
  tender = published.body.tender;
  const q = await call('POST', `/api/v1/tenders/${tender.id}/questions`, { token: tokens.company, json: { text: 'Question préalable' } });
  assert.equal(q.status, 201, q.text);
});

after(async () => {
  assert.equal(await server.stop(), 0);
  server.cleanup();
});

// Roles in the order they are tried: the owner last, so that its successful
// writes do not change what the others get.
const ROLES = ['anonymous', 'companyRead', 'company', 'other', 'admin', 'buyer'];

// [method, route (T = the consultation), body, expected status per role].
function matrix() {
  const T = `/api/v1/tenders/${tender.id}`;
  const d = draft({ deadline: new Date(Date.now() + 3600_000).toISOString() });
  return [
    ['GET', '/api/v1/tenders', null, { anonymous: 200, companyRead: 200, company: 200, other: 200, admin: 200, buyer: 200 }],
    ['GET', T, null, { anonymous: 200, companyRead: 200, company: 200, other: 200, admin: 200, buyer: 200 }],
    ['GET', `${T}/questions`, null, { anonymous: 200, companyRead: 200, company: 200, other: 200, admin: 200, buyer: 200 }],
    ['POST', '/api/v1/tenders', d, { anonymous: 401, companyRead: 403, company: 403, other: 201, admin: 403, buyer: 201 }],
    ['PUT', T, d, { anonymous: 401, companyRead: 403, company: 403, other: 403, admin: 403, buyer: 409 }],
    ['POST', `${T}/publish`, null, { anonymous: 401, companyRead: 403, company: 403, other: 403, admin: 403, buyer: 409 }],
    ['POST', `${T}/amendments`, { consultation: { ...d, title: 'Titre modifié' }, summary: 'Titre' }, { anonymous: 401, companyRead: 403, company: 403, other: 403, admin: 403, buyer: 200 }],
    ['POST', `${T}/questions`, { text: 'Une question ?' }, { anonymous: 401, companyRead: 403, company: 201, other: 403, admin: 403, buyer: 403 }],
    ['POST', `${T}/questions/q1/answer`, { text: 'Une réponse.' }, { anonymous: 401, companyRead: 403, company: 403, other: 403, admin: 403, buyer: 200 }],
    ['POST', `${T}/deposits`, { documents: [{ name: 'offre.pdf', size: 10 }] }, { anonymous: 401, companyRead: 403, company: 201, other: 403, admin: 403, buyer: 403 }],
    ['GET', `${T}/deposits`, null, { anonymous: 401, companyRead: 403, company: 200, other: 403, admin: 403, buyer: 403 }],
    ['POST', `${T}/opening`, { secret_key: Buffer.alloc(32).toString('base64') }, { anonymous: 401, companyRead: 403, company: 403, other: 403, admin: 403, buyer: 409 }],
    ['GET', `${T}/bids`, null, { anonymous: 401, companyRead: 403, company: 403, other: 403, admin: 403, buyer: 409 }],
    ['POST', `${T}/evaluation`, { scores: {} }, { anonymous: 401, companyRead: 403, company: 403, other: 403, admin: 403, buyer: 409 }],
    ['POST', `${T}/award`, { bid: 'd0' }, { anonymous: 401, companyRead: 403, company: 403, other: 403, admin: 403, buyer: 409 }],
    ['POST', `${T}/signature`, { amount: '1000' }, { anonymous: 401, companyRead: 403, company: 403, other: 403, admin: 403, buyer: 409 }],
    ['GET', `${T}/events`, null, { anonymous: 401, companyRead: 403, company: 403, other: 403, admin: 403, buyer: 200 }],
    ['GET', '/api/v1/me/notifications', null, { anonymous: 401, companyRead: 200, company: 200, other: 200, admin: 200, buyer: 200 }],
    ['POST', `${T}/unsuccessful`, { reason: 'Aucune offre' }, { anonymous: 401, companyRead: 403, company: 403, other: 403, admin: 403, buyer: 409 }],
    ['POST', `${T}/cancel`, { reason: 'Besoin disparu' }, { anonymous: 401, companyRead: 403, company: 403, other: 403, admin: 403, buyer: 200 }],
  ];
}

test('every role against every endpoint gets its expected status', async () => {
  const failures = [];
  for (const [method, route, body, expected] of matrix()) {
    for (const role of ROLES) {
      const token = role === 'anonymous' ? undefined : tokens[role];
      const r = await call(method, route, body === null ? { token } : { token, json: body });
      if (r.status !== expected[role]) {
        failures.push(`${method} ${route} as ${role}: ${r.status}, expected ${expected[role]}: ${r.text.slice(0, 200)}`);
        continue;
      }
      if (r.status === 401 || r.status === 403) {
        assert.equal(r.headers.get('content-type'), 'application/problem+json');
        if (r.status === 401) assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('a forged, a malformed and a revoked token are 401 everywhere', async () => {
  const revoked = await call('POST', '/api/v1/me/tokens', { token: tokens.company, json: { scopes: ['deposits'], label: 'jetable' } });
  assert.equal(revoked.status, 201, revoked.text);
  const del = await call('DELETE', `/api/v1/me/tokens/${revoked.body.id}`, { token: tokens.company });
  assert.equal(del.status, 204, del.text);
  for (const token of ['lmp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'pas-un-jeton', revoked.body.token]) {
    for (const [method, route] of [['GET', '/api/v1/tenders'], ['POST', `/api/v1/tenders/${tender.id}/deposits`]]) {
      const r = await call(method, route, { token, json: method === 'POST' ? { documents: [] } : undefined });
      assert.equal(r.status, 401, `${method} ${route} with ${token.slice(0, 8)}: ${r.text}`);
    }
  }
});
