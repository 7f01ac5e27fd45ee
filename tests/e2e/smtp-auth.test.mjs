// A relay that demands STARTTLS and then a user and password (docs/alerts.md,
// "E-mail"): with --smtp-user and --smtp-password-file the alert's mail goes
// through; with a wrong password none does, and the delivery says why
// without the password; a user without STARTTLS is refused at start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, SOURCE_DIR, startServer, startSmtpSink, tempDir, until } from './harness.mjs';
import { addAccount, client, draft, login, siret } from './procedure.mjs';

const TLS = path.join(SOURCE_DIR, 'tests/e2e/fixtures/tls');
const BUYER = { siret: siret('2135023880001'), name: 'Commune de Rennes' };
const ACME = { siret: siret('7328293200007'), name: 'Élagage Acme' };
const AUTH = { user: 'limpide-relay', password: 'mot de passe: «secret» 42' };

let smtp;
const servers = [];

before(async () => {
  smtp = await startSmtpSink({ tls: { cert: path.join(TLS, 'cert.pem'), key: path.join(TLS, 'key.pem') }, auth: AUTH });
});

after(async () => {
  for (const s of servers) { assert.equal(await s.stop(), 0); s.cleanup(); }
  smtp?.stop();
});

// A server relaying through the sink as AUTH.user with `password`; returns
// {call, tokens, passwordFile}.
async function platform(password) {
  const dataDir = tempDir();
  addAccount(dataDir, { email: 'agent@rennes.fr', name: 'Agent', org: BUYER.siret, orgName: BUYER.name, role: 'buyer_agent' });
  addAccount(dataDir, { email: 'veille@acme.fr', name: 'Acme', org: ACME.siret, orgName: ACME.name, role: 'company_rep' });
  const passwordFile = path.join(dataDir, 'smtp-password');
  writeFileSync(passwordFile, `${password}\n`);
  const server = await startServer({
    dataDir,
    args: ['--rate-limit', '0', '--alerts-retry-base-ms', '200', '--alerts-send-timeout-ms', '3000',
      '--alerts-max-attempts', '2', '--smtp', `127.0.0.1:${smtp.port}`, '--smtp-starttls',
      '--smtp-user', AUTH.user, '--smtp-password-file', passwordFile],
    env: { SSL_CERT_FILE: path.join(TLS, 'cert.pem') },
  });
  servers.push(server);
  const call = client(server.base);
  return { call, tokens: { buyer: await login(call, 'agent@rennes.fr'), acme: await login(call, 'veille@acme.fr') } };
}

// An e-mail alert, then a consultation it matches; returns {alert, tender}.
async function alertAndTender({ call, tokens }) {
  const alert = await call('POST', '/api/v1/alerts', { token: tokens.acme,
    json: { name: 'Élagage', query: 'élagage', email: 'veille@acme.fr' } });
  assert.equal(alert.status, 201, alert.text);
  const created = await call('POST', '/api/v1/tenders', { token: tokens.buyer,
    json: draft({ deadline: new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString() }) });
  assert.equal(created.status, 201, created.text);
  assert.equal((await call('POST', `/api/v1/tenders/${created.body.id}/publish`, { token: tokens.buyer })).status, 200);
  return { alert: alert.body, tender: created.body };
}

test('with the right user and password the alert mail goes through the relay', async () => {
  const p = await platform(AUTH.password);
  const { tender } = await alertAndTender(p);
  const mail = await until('the mail through AUTH', () => smtp.mails().find((m) => m.includes(tender.id)));
  assert.match(mail, /^To: <veille@acme\.fr>/m);
});

test('with a wrong password no mail goes, and the delivery says the relay refused', async () => {
  const p = await platform('not the password');
  const { alert, tender } = await alertAndTender(p);
  const parked = await until('the parked e-mail delivery', async () => {
    const r = await p.call('GET', `/api/v1/alerts/${alert.id}/deliveries`, { token: p.tokens.acme });
    return JSON.stringify(r.body).includes('"parked"') ? r.body : null;
  });
  const text = JSON.stringify(parked);
  assert.match(text, /AUTH: 535/, text);
  assert.ok(!text.includes('not the password'), 'the password is not shown');
  assert.equal(smtp.mails().filter((m) => m.includes(tender.id)).length, 0);
});

test('a relay user without STARTTLS or without a password file is refused at start', () => {
  const dataDir = tempDir();
  const passwordFile = path.join(dataDir, 'smtp-password');
  writeFileSync(passwordFile, 'x\n');
  for (const extra of [['--smtp-password-file', passwordFile], ['--smtp-starttls']]) {
    const r = spawnSync(BIN, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--smtp', '127.0.0.1:25',
      '--smtp-user', 'u', ...extra], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--smtp-user needs --smtp, --smtp-starttls .* and --smtp-password-file/);
  }
});
