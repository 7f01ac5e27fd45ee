// TLS out of the real binary (docs/alerts.md): an https:// webhook receiver
// with a certificate the server trusts (SSL_CERT_FILE) gets the signed match;
// an endpoint whose certificate does not name the host of its URL is never
// sent the payload, and its delivery is parked with the certificate error
// shown to the owner; the alert's mail goes through an SMTP relay that
// demands STARTTLS (--smtp-starttls).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { SOURCE_DIR, startServer, startSmtpSink, tempDir, until } from './harness.mjs';
import { addAccount, client, draft, login, siret } from './procedure.mjs';

const TLS = path.join(SOURCE_DIR, 'tests/e2e/fixtures/tls');
const BUYER = { siret: siret('2135023880001'), name: 'Commune de Rennes' };
const ACME = { siret: siret('7328293200007'), name: 'Élagage Acme' };

let server;
let smtp;
let receiver;
let port;
let call;
const received = [];
const tokens = {};

before(async () => {
  const dataDir = tempDir();
  addAccount(dataDir, { email: 'agent@rennes.fr', name: 'Agent', org: BUYER.siret, orgName: BUYER.name, role: 'buyer_agent' });
  addAccount(dataDir, { email: 'veille@acme.fr', name: 'Acme', org: ACME.siret, orgName: ACME.name, role: 'company_rep' });
  receiver = https.createServer({ key: readFileSync(path.join(TLS, 'key.pem')), cert: readFileSync(path.join(TLS, 'cert.pem')) },
    (req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => { received.push({ url: req.url, headers: req.headers, body }); res.writeHead(204); res.end(); });
    });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  port = receiver.address().port;
  smtp = await startSmtpSink({ tls: { cert: path.join(TLS, 'cert.pem'), key: path.join(TLS, 'key.pem') } });
  server = await startServer({
    dataDir,
    args: ['--rate-limit', '0', '--alerts-retry-base-ms', '200', '--alerts-send-timeout-ms', '3000', '--alerts-max-attempts', '2',
      '--smtp', `127.0.0.1:${smtp.port}`, '--smtp-starttls'],
    env: { SSL_CERT_FILE: path.join(TLS, 'cert.pem') },
  });
  call = client(server.base);
  tokens.buyer = await login(call, 'agent@rennes.fr');
  tokens.acme = await login(call, 'veille@acme.fr');
});

after(async () => {
  if (server) { assert.equal(await server.stop(), 0); server.cleanup(); }
  receiver?.closeAllConnections();
  receiver?.close();
  smtp?.stop();
});

test('a match reaches an https:// endpoint whose certificate checks, and never one whose does not', async () => {
  const make = async (json) => {
    const r = await call('POST', '/api/v1/alerts', { token: tokens.acme, json });
    assert.equal(r.status, 201, r.text);
    return r.body;
  };
  const good = await make({ name: 'Élagage', query: 'élagage', webhook: `https://127.0.0.1:${port}/good`,
    email: 'veille@acme.fr' });
  // The certificate names IP 127.0.0.1 only: "localhost" is not in it.
  const wrongName = await make({ name: 'Élagage bis', query: 'élagage', webhook: `https://localhost:${port}/wrong-name` });

  const created = await call('POST', '/api/v1/tenders', { token: tokens.buyer,
    json: draft({ deadline: new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString() }) });
  assert.equal(created.status, 201, created.text);
  assert.equal((await call('POST', `/api/v1/tenders/${created.body.id}/publish`, { token: tokens.buyer })).status, 200);

  const hook = await until('the https webhook', () => received.find((r) => r.url === '/good'));
  const sig = Object.fromEntries(hook.headers['limpide-signature'].split(',').map((p) => p.split('=')));
  assert.equal(sig.v1, createHmac('sha256', good.webhookSecret).update(`${sig.t}.${hook.body}`).digest('hex'));
  assert.equal(JSON.parse(hook.body).match.tender, created.body.id);

  const parked = await until('the parked delivery', async () => {
    const r = await call('GET', `/api/v1/alerts/${wrongName.id}/deliveries`, { token: tokens.acme });
    return r.body.data?.find((d) => d.state === 'parked');
  });
  assert.match(parked.lastError, /certificate/i);
  assert.equal(received.filter((r) => r.url === '/wrong-name').length, 0, 'nothing was sent to it');

  // The sink accepts no mail before STARTTLS: this one came through TLS.
  const mail = await until('the mail through STARTTLS', () => smtp.mails().find((m) => m.includes(created.body.id)));
  assert.match(mail, /^To: <veille@acme\.fr>/m);
});
