// Saved searches and alerts through the real binary (docs/alerts.md): a
// company saves searches, a buyer publishes a consultation that matches and
// one that does not; the match arrives in the Atom feed, as a signed webhook
// (to an endpoint that fails, then hangs, then answers, while another one is
// served at once) and as a mail in a real SMTP sink (aiosmtpd); an endpoint
// that always fails is parked and the owner sees it. Bad input is a 400 that
// names the member. A restart alerts nobody twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { freePort, startServer, tempDir, until } from './harness.mjs';
import { addAccount, client, draft, login, siret } from './procedure.mjs';

const BUYER = { siret: siret('2135023880001'), name: 'Commune de Rennes' };
const ACME = { siret: siret('7328293200007'), name: 'Élagage Acme' };
const ARGS = ['--rate-limit', '0', '--alerts-retry-base-ms', '300', '--alerts-send-timeout-ms', '3000',
  '--alerts-max-attempts', '3'];

let server;
let call;
let dataDir;
let smtp;
let maildir;
let receiver;
let receiverBase;
const tokens = {};
const alerts = {};
const tenders = {};
// Requests received by the webhook receiver, per path: {at, headers, body}.
const received = { '/flaky': [], '/ok': [], '/broken': [] };
let flakyCalls = 0;

function mails() {
  const dir = path.join(maildir, 'new');
  let names = [];
  try { names = readdirSync(dir); } catch { return []; }
  return names.map((n) => readFileSync(path.join(dir, n), 'utf8'));
}

before(async () => {
  dataDir = tempDir();
  addAccount(dataDir, { email: 'agent@rennes.fr', name: 'Agent', org: BUYER.siret, orgName: BUYER.name, role: 'buyer_agent' });
  addAccount(dataDir, { email: 'veille@acme.fr', name: 'Acme', org: ACME.siret, orgName: ACME.name, role: 'company_rep' });

  // The SMTP sink: Debian's aiosmtpd writing every mail into a Maildir.
  maildir = path.join(tempDir('limpide-mail-'), 'mail');
  const smtpPort = await freePort();
  smtp = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${smtpPort}`,
    '-c', 'aiosmtpd.handlers.Mailbox', maildir], { stdio: 'ignore' });
  await until('the SMTP sink', () => new Promise((resolve) => {
    const s = net.connect(smtpPort, '127.0.0.1', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  }));

  // The webhook receiver: /flaky answers 500, then hangs, then 204; /ok
  // answers at once; /broken always 500.
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      (received[req.url] ??= []).push({ at: Date.now(), headers: req.headers, body });
      if (req.url === '/flaky') {
        flakyCalls += 1;
        if (flakyCalls === 1) { res.writeHead(500); res.end('boom'); return; }
        if (flakyCalls === 2) return;  // never answers: the sender must time out
        res.writeHead(204); res.end(); return;
      }
      if (req.url === '/ok') { res.writeHead(204); res.end(); return; }
      res.writeHead(500); res.end('always broken');
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  receiverBase = `http://127.0.0.1:${receiver.address().port}`;

  server = await startServer({ dataDir, args: [...ARGS, '--smtp', `127.0.0.1:${smtpPort}`] });
  call = client(server.base);
  tokens.buyer = await login(call, 'agent@rennes.fr');
  tokens.acme = await login(call, 'veille@acme.fr');
});

after(async () => {
  if (process.env.LIMPIDE_E2E_STDERR) console.error(server?.stderr());
  if (server) { assert.equal(await server.stop(), 0); server.cleanup(); }
  smtp?.kill('SIGTERM');
  receiver?.closeAllConnections();
  receiver?.close();
});

test('bad saved searches are refused with a 400 naming the member', async () => {
  const cases = [
    [{ query: 'voirie', colour: 'rouge' }, 'colour'],
    [{ cpv: ['77', '12345678'] }, 'cpv[1]'],
    [{ query: 'voirie', webhook: 'ftp://example.org/hook' }, 'webhook'],
    [{ query: 'voirie', webhook: 'http://' }, 'webhook'],
    [{ query: 'voirie', webhook: 'https://user:secret@example.org/hook' }, 'webhook'],
    [{ query: 'voirie', webhook: 'http://example.org:0/hook' }, 'webhook'],
    [{ query: '"espaces verts' }, 'query'],
    [{ query: 'objet:voirie' }, 'query'],
    [{ departments: ['99'] }, 'departments[0]'],
    [{ query: 'voirie', email: 'pas une adresse' }, 'email'],
    [{ name: 'sans critère' }, 'query'],
  ];
  for (const [json, field] of cases) {
    const r = await call('POST', '/api/v1/alerts', { token: tokens.acme, json });
    assert.equal(r.status, 400, `${JSON.stringify(json)}: ${r.text}`);
    assert.match(r.headers.get('content-type'), /application\/problem\+json/);
    assert.equal(r.body.field, field, r.text);
  }
  assert.equal((await call('POST', '/api/v1/alerts', { json: { query: 'voirie' } })).status, 401);
  const buyer = await call('POST', '/api/v1/alerts', { token: tokens.buyer, json: { query: 'voirie' } });
  assert.equal(buyer.status, 403, buyer.text);
  const list = await call('GET', '/api/v1/alerts', { token: tokens.acme });
  assert.equal(list.status, 200);
  assert.equal(list.body.data.length, 0, 'nothing was saved by the refused requests');
});

test('a company saves searches and lists them, page by page', async () => {
  const make = async (json) => {
    const r = await call('POST', '/api/v1/alerts', { token: tokens.acme, json });
    assert.equal(r.status, 201, r.text);
    assert.match(r.body.feedUrl, /\/api\/v1\/alerts\/al_[0-9a-f]+\/feed\?key=/);
    return r.body;
  };
  alerts.flaky = await make({ name: 'Élagage en Bretagne', query: 'élagage -peinture', regions: ['53'],
    webhook: `${receiverBase}/flaky`, email: 'veille@acme.fr' });
  alerts.ok = await make({ name: 'Élagage partout', query: 'elagage', webhook: `${receiverBase}/ok` });
  alerts.broken = await make({ name: 'Espaces verts', cpv: ['77000000-0'], webhook: `${receiverBase}/broken` });
  alerts.none = await make({ name: 'Papier', query: 'papier', cpv: ['30'], departments: ['75'] });
  assert.match(alerts.flaky.webhookSecret, /^whsec_/);
  assert.deepEqual(alerts.broken.cpv, ['77']);

  const first = await call('GET', '/api/v1/alerts?limit=3', { token: tokens.acme });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.data.length, 3);
  const second = await call('GET', first.body.links.next, { token: tokens.acme });
  assert.equal(second.body.data.length, 1);
  assert.equal(second.body.links.next, undefined);
  const ids = [...first.body.data, ...second.body.data].map((a) => a.id).sort();
  assert.deepEqual(ids, Object.values(alerts).map((a) => a.id).sort());
  assert.equal(first.body.data[0].webhookSecret, undefined, 'the secret is shown once');
  const bad = await call('GET', '/api/v1/alerts?limit=0', { token: tokens.acme });
  assert.equal(bad.status, 400);
});

test('a matching publication reaches the webhook, the feed and the mailbox; another does not', async () => {
  const deadline = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString();
  const publish = async (json) => {
    const created = await call('POST', '/api/v1/tenders', { token: tokens.buyer, json });
    assert.equal(created.status, 201, created.text);
    const published = await call('POST', `/api/v1/tenders/${created.body.id}/publish`, { token: tokens.buyer });
    assert.equal(published.status, 200, published.text);
    return created.body.id;
  };
  tenders.match = await publish(draft({ deadline }));  // "Travaux d'élagage…", CPV 77211400-6, department 35
  tenders.other = await publish({ ...draft({ deadline, title: 'Fourniture de papier recyclé' }),
    description: 'Ramettes A4', cpv: '30197630-1', place: { code: '69', type: 'Code département' } });

  // The healthy endpoint is served while /flaky fails and hangs.
  const ok = await until('the /ok webhook', () => received['/ok'][0]);
  const flakyDone = await until('the third /flaky attempt', () => received['/flaky'][2]);
  assert.ok(ok.at < flakyDone.at);
  // While /flaky hung (3 s until the time-out), /broken got its retries.
  const hung = received['/flaky'][1].at;
  assert.ok(received['/broken'].some((r) => r.at > hung && r.at < flakyDone.at),
    'a hanging endpoint held up the others');

  // The signature: HMAC-SHA256 over "<t>.<body>" with the alert's secret.
  const sig = Object.fromEntries(flakyDone.headers['limpide-signature'].split(',').map((p) => p.split('=')));
  const expected = createHmac('sha256', alerts.flaky.webhookSecret).update(`${sig.t}.${flakyDone.body}`).digest('hex');
  assert.equal(sig.v1, expected);
  assert.ok(Math.abs(Date.now() / 1000 - Number(sig.t)) < 120);
  const payload = JSON.parse(flakyDone.body);
  assert.equal(payload.event, 'alert.match');
  assert.equal(payload.alert.id, alerts.flaky.id);
  assert.equal(payload.match.tender, tenders.match);
  assert.deepEqual(payload.match.reason.words, ['élagage']);
  assert.equal(payload.match.reason.place.department, '35');
  assert.equal(payload.match.reason.place.region, '53');
  assert.equal(flakyDone.headers['limpide-delivery'], payload.delivery);
  // The same delivery was retried, not a new one made.
  assert.equal(JSON.parse(received['/flaky'][0].body).delivery, payload.delivery);

  // The mail, in the SMTP sink.
  const mail = await until('the mail', () => mails().find((m) => m.includes(tenders.match)));
  assert.match(mail, /^To: <veille@acme\.fr>/m);
  assert.match(mail, /^Subject: =\?UTF-8\?B\?/m);
  assert.match(mail, /Pourquoi : mots : élagage ; lieu : 35 Ille-et-Vilaine \(région Bretagne\)/);

  // The Atom feed, with the key of its URL only.
  const feed = await fetch(alerts.flaky.feedUrl.replace(/^http:\/\/[^/]+/, server.base));
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get('content-type'), /^application\/atom\+xml/);
  const xml = await feed.text();
  const feedFile = path.join(dataDir, 'feed.xml');
  writeFileSync(feedFile, xml);
  const xpath = (expr) => {
    const r = spawnSync('xmllint', ['--xpath', expr, feedFile], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${expr}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const atom = "namespace-uri()='http://www.w3.org/2005/Atom'";
  assert.equal(xpath(`count(/*[local-name()='feed' and ${atom}])`), '1');
  // RFC 4287 §4.1.1: a feed has exactly one id, title and updated, and an author.
  for (const el of ['id', 'title', 'updated', 'author']) {
    assert.equal(xpath(`count(/*/*[local-name()='${el}' and ${atom}])`), '1', el);
  }
  assert.equal(xpath(`count(/*/*[local-name()='entry'])`), '1');
  for (const el of ['id', 'title', 'updated', 'link', 'summary']) {
    assert.equal(xpath(`count(/*/*[local-name()='entry']/*[local-name()='${el}'])`), '1', el);
  }
  const updated = xpath(`string(/*/*[local-name()='entry']/*[local-name()='updated'])`);
  assert.match(updated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.match(xpath(`string(/*/*[local-name()='entry']/*[local-name()='link']/@href)`),
    new RegExp(`/consultations/${tenders.match}$`));
  assert.match(xml, /Pourquoi : mots : élagage/);
  const wrongKey = await fetch(`${server.base}/api/v1/alerts/${alerts.flaky.id}/feed?key=nope`);
  assert.equal(wrongKey.status, 404);

  // The matches, with their reasons, through the API.
  const matches = await call('GET', `/api/v1/alerts/${alerts.broken.id}/matches`, { token: tokens.acme });
  assert.equal(matches.status, 200, matches.text);
  assert.equal(matches.body.data.length, 1);
  assert.deepEqual(matches.body.data[0].reason.cpv, { filter: '77', code: '77211400-6' });
  const none = await call('GET', `/api/v1/alerts/${alerts.none.id}/matches`, { token: tokens.acme });
  assert.equal(none.body.data.length, 0, 'the paper consultation is in Rhône, the search in Paris');
});

test('an endpoint that always fails is parked after the last attempt, and its owner sees it', async () => {
  const parked = await until('the parked delivery', async () => {
    const r = await call('GET', `/api/v1/alerts/${alerts.broken.id}/deliveries`, { token: tokens.acme });
    return r.body.data?.find((d) => d.state === 'parked');
  });
  assert.equal(parked.attempts, 3);
  assert.match(parked.lastError, /answered 500/);
  assert.equal(received['/broken'].length, 3);
  const sent = await call('GET', `/api/v1/alerts/${alerts.flaky.id}/deliveries`, { token: tokens.acme });
  const hook = sent.body.data.find((d) => d.channel === 'webhook');
  assert.equal(hook.state, 'sent');
  assert.equal(hook.attempts, 3);
  assert.equal(sent.body.data.find((d) => d.channel === 'email').state, 'sent');
});

test('another company sees nothing of these alerts; the owner edits and deletes them', async () => {
  addAccount(dataDir, { email: 'autre@bois.fr', name: 'Bois', org: siret('4420591390001'), orgName: 'Bois SARL', role: 'company_rep' });
  const other = await login(call, 'autre@bois.fr');
  assert.equal((await call('GET', `/api/v1/alerts/${alerts.ok.id}`, { token: other })).status, 404);
  assert.equal((await call('DELETE', `/api/v1/alerts/${alerts.ok.id}`, { token: other })).status, 404);
  const put = await call('PUT', `/api/v1/alerts/${alerts.none.id}`, { token: tokens.acme,
    json: { name: 'Papier', query: 'papier', cpv: ['99'] } });
  assert.equal(put.status, 400);
  assert.equal(put.body.field, 'cpv[0]', put.text);
  const gone = await call('DELETE', `/api/v1/alerts/${alerts.none.id}`, { token: tokens.acme });
  assert.equal(gone.status, 204);
  assert.equal((await call('GET', `/api/v1/alerts/${alerts.none.id}`, { token: tokens.acme })).status, 404);
});

test('after a restart nobody is alerted twice', async () => {
  const before = Object.fromEntries(Object.entries(received).map(([k, v]) => [k, v.length]));
  const mailCount = mails().length;
  assert.equal(await server.stop(), 0);
  server = await startServer({ dataDir: server.dataDir, args: ARGS });
  call = client(server.base);
  await new Promise((r) => setTimeout(r, 2500));
  for (const [k, n] of Object.entries(before)) assert.equal(received[k].length, n, k);
  assert.equal(mails().length, mailCount);
});
