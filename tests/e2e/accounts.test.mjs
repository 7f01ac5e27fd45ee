// Accounts, sessions and API tokens against the real binary (docs/accounts.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, startServer, tempDir } from './harness.mjs';

const PASSWORD = 'un mot de passe solide';
const COMPANY = {
  siret: '732 829 320 00074', organizationName: 'Travaux du Sud',
  email: 'Marie@Exemple.fr', name: 'Marie Curie', password: PASSWORD,
};
const ADMIN_EMAIL = 'admin@limpide.example';

let server;
// Every body the server sent: none may hold a password hash or a stored token hash.
const bodies = [];
const issued = [];

async function call(method, route, { json, body, type, token, cookie, headers = {} } = {}) {
  const h = { ...headers };
  if (json !== undefined) {
    h['content-type'] = type ?? 'application/json';
    body = JSON.stringify(json);
  } else if (type) {
    h['content-type'] = type;
  }
  if (token) h.authorization = `Bearer ${token}`;
  if (cookie) h.cookie = cookie;
  const r = await fetch(`${server.base}${route}`, { method, headers: h, body, redirect: 'manual' });
  const text = await r.text();
  bodies.push(text);
  let parsed = null;
  try { parsed = JSON.parse(text); } catch { parsed = text; }
  return { status: r.status, headers: r.headers, body: parsed, text };
}

function assertProblem(r, status, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  assert.equal(r.body.status, status);
  if (field) assert.equal(r.body.field, field, r.text);
}

async function login(email = COMPANY.email, password = PASSWORD) {
  const r = await call('POST', '/api/v1/session', { json: { email, password } });
  assert.equal(r.status, 201, r.text);
  issued.push(r.body.token);
  return r;
}

function cli(args, input) {
  return spawnSync(BIN, args, { encoding: 'utf8', input, timeout: 60_000 });
}

before(async () => {
  const dataDir = tempDir();
  // The first admin comes from the CLI, before the server starts.
  const passwordFile = path.join(dataDir, 'admin-password');
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  const add = cli(['account', 'add', '--data-dir', dataDir, '--email', ADMIN_EMAIL, '--name',
    'Admin', '--role', 'admin', '--password-file', passwordFile]);
  assert.equal(add.status, 0, add.stderr);
  assert.match(add.stdout, /created u_[0-9a-f]+ admin@limpide\.example \(admin\)/);
  server = await startServer({ dataDir, args: ['--rate-limit', '0'] });
});

after(async () => {
  assert.equal(await server.stop(), 0);
  server.cleanup();
});

test('a company registers itself and cannot register the same organization twice', async () => {
  const r = await call('POST', '/api/v1/accounts', { json: COMPANY });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.email, 'marie@exemple.fr');
  assert.equal(r.body.role, 'company_rep');
  assert.deepEqual(r.body.organization, { id: '73282932000074', name: 'Travaux du Sud' });
  assert.doesNotMatch(r.text, /password|argon2/i);

  const again = await call('POST', '/api/v1/accounts', { json: { ...COMPANY, email: 'paul@exemple.fr' } });
  assertProblem(again, 409, 'siret');
  const taken = await call('POST', '/api/v1/accounts',
    { json: { ...COMPANY, siret: '21750001600019', organizationName: 'Autre' } });
  assertProblem(taken, 409, 'email');
});

test('bad registrations are 400 with the field, or 415 for another content type', async () => {
  const short = await call('POST', '/api/v1/accounts',
    { json: { ...COMPANY, email: 'x@exemple.fr', siret: '21750001600019', password: 'trop court' } });
  assertProblem(short, 400, 'password');
  const siret = await call('POST', '/api/v1/accounts',
    { json: { ...COMPANY, email: 'x@exemple.fr', siret: '12345678901234' } });
  assertProblem(siret, 400, 'siret');
  const unknown = await call('POST', '/api/v1/accounts', { json: { ...COMPANY, role: 'admin' } });
  assertProblem(unknown, 400, 'role');
  const type = await call('POST', '/api/v1/accounts', { json: COMPANY, type: 'text/plain' });
  assertProblem(type, 415, 'Content-Type');
  const form = await call('POST', '/api/v1/session',
    { body: 'email=a&password=b', type: 'application/x-www-form-urlencoded' });
  assertProblem(form, 415);
  const broken = await call('POST', '/api/v1/session', { body: '{"email":', type: 'application/json' });
  assertProblem(broken, 400);
});

test('login failures do not say whether the e-mail exists', async () => {
  const wrong = await call('POST', '/api/v1/session', { json: { email: COMPANY.email, password: 'pas le bon mot de passe' } });
  const unknown = await call('POST', '/api/v1/session', { json: { email: 'nobody@exemple.fr', password: PASSWORD } });
  assertProblem(wrong, 401);
  assertProblem(unknown, 401);
  assert.equal(wrong.body.detail, unknown.body.detail);
});

test('login gives a session token and an HttpOnly SameSite=Lax cookie; me answers with both', async () => {
  const r = await login();
  assert.match(r.body.token, /^lmp_[A-Za-z0-9_-]{43}$/);
  assert.match(r.body.id, /^[0-9a-f]{16}$/);
  assert.ok(Date.parse(r.body.expires) > Date.now());
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, new RegExp(`^limpide_session=${r.body.token};`));
  for (const attr of ['HttpOnly', 'SameSite=Lax', 'Path=/']) assert.ok(cookie.includes(attr), cookie);

  const byToken = await call('GET', '/api/v1/me', { token: r.body.token });
  assert.equal(byToken.status, 200, byToken.text);
  assert.equal(byToken.body.email, 'marie@exemple.fr');
  assert.equal(byToken.body.role, 'company_rep');
  assert.deepEqual(byToken.body.scopes, ['deposits', 'read']);
  assert.deepEqual(byToken.body.credential, { id: r.body.id, kind: 'session' });
  const byCookie = await call('GET', '/api/v1/me', { cookie: `limpide_session=${r.body.token}` });
  assert.equal(byCookie.status, 200);
  assert.equal(byCookie.body.id, byToken.body.id);
});

test('missing or bad credentials are 401 with WWW-Authenticate', async () => {
  const anonymous = await call('GET', '/api/v1/me');
  assertProblem(anonymous, 401);
  assert.match(anonymous.headers.get('www-authenticate'), /^Bearer realm="limpide"$/);
  for (const authorization of ['Basic YTpi', 'Bearer', 'Bearer not-a-token', 'lmp_x']) {
    const r = await call('GET', '/api/v1/me', { headers: { authorization } });
    assertProblem(r, 401, 'Authorization');
    assert.match(r.headers.get('www-authenticate'), /^Bearer .*error="invalid_token"/, authorization);
  }
  const unknown = await call('GET', '/api/v1/me', { token: `lmp_${'A'.repeat(43)}` });
  assertProblem(unknown, 401);
  assert.match(unknown.body.detail, /unknown token/);
  const cookie = await call('GET', '/api/v1/me', { cookie: 'limpide_session=nope' });
  assertProblem(cookie, 401, 'Cookie');
});

test('API tokens: created with some scopes, listed without the secret, revoked for good', async () => {
  const session = (await login()).body.token;
  const created = await call('POST', '/api/v1/me/tokens',
    { token: session, json: { scopes: ['read'], label: 'robot', expires: '2099-01-01T00:00:00Z' } });
  assert.equal(created.status, 201, created.text);
  const { token, id } = created.body;
  issued.push(token);
  assert.match(token, /^lmp_/);
  assert.deepEqual(created.body.scopes, ['read']);
  assert.equal(created.body.expires, '2099-01-01T00:00:00.000Z');

  const me = await call('GET', '/api/v1/me', { token });
  assert.deepEqual(me.body.scopes, ['read']);
  assert.equal(me.body.credential.kind, 'api');

  const stronger = await call('POST', '/api/v1/me/tokens', { token, json: { scopes: ['read', 'deposits'] } });
  assertProblem(stronger, 403, 'scopes');
  const buyer = await call('POST', '/api/v1/me/tokens', { token: session, json: { scopes: ['tenders'] } });
  assertProblem(buyer, 403, 'scopes');
  const none = await call('POST', '/api/v1/me/tokens', { token: session, json: { scopes: [] } });
  assertProblem(none, 400, 'scopes');
  const past = await call('POST', '/api/v1/me/tokens', { token: session, json: { scopes: ['read'], expires: '2001-01-01T00:00:00Z' } });
  assertProblem(past, 400, 'expires');

  const list = await call('GET', '/api/v1/me/tokens', { token: session });
  assert.equal(list.status, 200);
  const listed = list.body.data.find((t) => t.id === id);
  assert.deepEqual({ ...listed, created: undefined },
    { id, kind: 'api', label: 'robot', scopes: ['read'], created: undefined, expires: '2099-01-01T00:00:00.000Z' });
  assert.ok(!list.text.includes(token));

  const revoked = await call('DELETE', `/api/v1/me/tokens/${id}`, { token: session });
  assert.equal(revoked.status, 204);
  const refused = await call('GET', '/api/v1/me', { token });
  assertProblem(refused, 401);
  assert.match(refused.body.detail, /revoked token/);
  assert.match(refused.headers.get('www-authenticate'), /invalid_token/);
  const missing = await call('DELETE', '/api/v1/me/tokens/0123456789abcdef', { token: session });
  assertProblem(missing, 404);
});

test('a company token on the admin endpoint is 403; an admin token creates a buyer agent', async () => {
  const company = (await login()).body.token;
  const newBuyer = {
    email: 'agent@ville.example', name: 'Agent Public', password: PASSWORD, role: 'buyer_agent',
    siret: '21750001600019', organizationName: 'Ville de Paris',
  };
  const forbidden = await call('POST', '/api/v1/admin/users', { token: company, json: newBuyer });
  assertProblem(forbidden, 403);
  const anonymous = await call('POST', '/api/v1/admin/users', { json: newBuyer });
  assertProblem(anonymous, 401);
  assert.ok(anonymous.headers.get('www-authenticate'));

  const made = cli(['token', 'create', '--data-dir', server.dataDir, '--email', ADMIN_EMAIL,
    '--scopes', 'admin,read', '--label', 'e2e']);
  assert.equal(made.status, 0, made.stderr);
  const admin = made.stdout.trim();
  issued.push(admin);
  assert.match(admin, /^lmp_[A-Za-z0-9_-]{43}$/);

  const readOnly = cli(['token', 'create', '--data-dir', server.dataDir, '--email', ADMIN_EMAIL, '--scopes', 'read']);
  assert.equal(readOnly.status, 0, readOnly.stderr);
  const weak = await call('POST', '/api/v1/admin/users', { token: readOnly.stdout.trim(), json: newBuyer });
  assertProblem(weak, 403);
  assert.match(weak.headers.get('www-authenticate'), /insufficient_scope/);

  const type = await call('POST', '/api/v1/admin/users', { token: admin, json: newBuyer, type: 'text/plain' });
  assertProblem(type, 415);
  const badRole = await call('POST', '/api/v1/admin/users', { token: admin, json: { ...newBuyer, role: 'mayor' } });
  assertProblem(badRole, 400, 'role');
  const created = await call('POST', '/api/v1/admin/users', { token: admin, json: newBuyer });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.role, 'buyer_agent');
  const buyerSession = (await login('agent@ville.example')).body.token;
  const me = await call('GET', '/api/v1/me', { token: buyerSession });
  assert.deepEqual(me.body.scopes, ['tenders', 'read']);
  assert.deepEqual(me.body.organization, { id: '21750001600019', name: 'Ville de Paris' });
});

test('logout revokes the session and clears the cookie', async () => {
  const token = (await login()).body.token;
  const cookie = `limpide_session=${token}`;
  const out = await call('DELETE', '/api/v1/session', { cookie });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /^limpide_session=;.*Max-Age=0/);
  const after = await call('GET', '/api/v1/me', { cookie });
  assertProblem(after, 401, 'Cookie');
  const again = await call('DELETE', '/api/v1/session', { cookie });
  assertProblem(again, 401);
});

test('the web login form sets the session cookie and works without JavaScript', async () => {
  const page = await call('GET', '/connexion?suite=/contrats');
  assert.equal(page.status, 200);
  assert.match(page.text, /<form method="post" action="\/connexion">/);
  assert.match(page.text, /name="suite" value="\/contrats"/);

  const form = (email, password, suite) => new URLSearchParams({ email, password, suite }).toString();
  const wrong = await call('POST', '/connexion',
    { body: form(COMPANY.email, 'pas le bon mot de passe', '/contrats'), type: 'application/x-www-form-urlencoded' });
  assert.equal(wrong.status, 401);
  assert.match(wrong.text, /role="alert"/);

  const ok = await call('POST', '/connexion',
    { body: form(COMPANY.email, PASSWORD, '/contrats'), type: 'application/x-www-form-urlencoded' });
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get('location'), '/contrats');
  const cookie = ok.headers.get('set-cookie').split(';')[0];
  assert.match(cookie, /^limpide_session=lmp_/);
  issued.push(cookie.split('=')[1]);
  const me = await call('GET', '/api/v1/me', { cookie });
  assert.equal(me.status, 200);
  const shown = await call('GET', '/connexion', { cookie });
  assert.match(shown.text, /Marie Curie/);

  const offsite = await call('POST', '/connexion',
    { body: form(COMPANY.email, PASSWORD, '//evil.example/'), type: 'application/x-www-form-urlencoded' });
  assert.equal(offsite.headers.get('location'), '/');
  const crossSite = await call('POST', '/connexion', {
    body: form(COMPANY.email, PASSWORD, '/'), type: 'application/x-www-form-urlencoded',
    headers: { origin: 'https://evil.example' },
  });
  assert.equal(crossSite.status, 403);
  const json = await call('POST', '/connexion', { json: { email: COMPANY.email, password: PASSWORD } });
  assert.equal(json.status, 415);

  const out = await call('POST', '/deconnexion', { cookie, body: '', type: 'application/x-www-form-urlencoded' });
  assert.equal(out.status, 303);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  assertProblem(await call('GET', '/api/v1/me', { cookie }), 401);
});

test('no answer ever held a password hash or a stored token hash', () => {
  const all = bodies.join('\n');
  assert.doesNotMatch(all, /argon2/);
  assert.ok(issued.length >= 5);
  for (const token of issued) {
    const hash = createHash('sha256').update(token).digest('hex');
    assert.ok(!all.includes(hash), 'a token hash was sent');
  }
});

test('the OpenAPI description lists the accounts endpoints with a bearer scheme', async () => {
  const doc = (await call('GET', '/api/v1/openapi.json')).body;
  assert.equal(doc.components.securitySchemes.bearer.scheme, 'bearer');
  for (const p of ['/api/v1/accounts', '/api/v1/admin/users', '/api/v1/session', '/api/v1/me',
    '/api/v1/me/tokens', '/api/v1/me/tokens/{id}']) {
    assert.ok(doc.paths[p], p);
  }
  assert.deepEqual(doc.paths['/api/v1/me'].get.security, [{ bearer: [] }, { session: [] }]);
});
