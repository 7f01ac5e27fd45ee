// The procedure's notifications by e-mail through the real binary and a real
// SMTP sink (aiosmtpd writing a Maildir), docs/tenders.md "Notifications by
// e-mail": a company downloads the DCE and asks, another deposits without
// downloading; the relay is down when the buyer amends, and the mails arrive
// once it is up (retried, not lost); the answer reaches both; the award tells
// every bidder its outcome. No mail before the award names another company
// or carries anything of a bid.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, startServer, tempDir, until } from './harness.mjs';
import { addAccount, client, deposit, draft, login, siret } from './procedure.mjs';

const BUYER = { siret: siret('2135023880001'), name: 'Commune de Rennes' };
const ACME = { siret: siret('7328293200007'), name: 'Élagage Acme' };
const BOIS = { siret: siret('4420591390001'), name: 'Bois et Forêts SARL' };
const OTHER = { siret: siret('5521005540001'), name: 'Spectateur SAS' };
const MARKER = 'MARQUEUR-OFFRE-51c0de';
const DEADLINE_MS = 15000;  // room for the steps before it under sanitizers on a loaded machine

let server;
let call;
let smtp;
let smtpPort;
let maildir;
let tender;
let secretKey;
const tokens = {};
const bids = {};

// Every mail in the sink: {to, subject (decoded), body, raw}.
function mails() {
  let names = [];
  try { names = readdirSync(path.join(maildir, 'new')); } catch { return []; }
  return names.map((n) => {
    const raw = readFileSync(path.join(maildir, 'new', n), 'utf8');
    const [head, ...rest] = raw.split(/\r?\n\r?\n/);
    const to = /^To: <([^>]+)>/m.exec(head)?.[1];
    let subject = /^Subject: (.*)$/m.exec(head)?.[1] ?? '';
    const encoded = /^=\?UTF-8\?B\?(.*)\?=$/.exec(subject);
    if (encoded) subject = Buffer.from(encoded[1], 'base64').toString('utf8');
    return { to, subject, body: rest.join('\n\n'), raw };
  });
}

const about = (kind) => mails().filter((m) => m.subject.startsWith(`[Limpide] ${kind}`));

async function startSink() {
  smtp = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${smtpPort}`,
    '-c', 'aiosmtpd.handlers.Mailbox', maildir], { stdio: 'ignore' });
  await until('the SMTP sink', () => new Promise((resolve) => {
    const s = net.connect(smtpPort, '127.0.0.1', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  }));
}

before(async () => {
  const dataDir = tempDir();
  addAccount(dataDir, { email: 'agent@rennes.fr', name: 'Agent', org: BUYER.siret, orgName: BUYER.name, role: 'buyer_agent' });
  addAccount(dataDir, { email: 'dce@acme.fr', name: 'Acme', org: ACME.siret, orgName: ACME.name, role: 'company_rep' });
  addAccount(dataDir, { email: 'offres@bois.fr', name: 'Bois', org: BOIS.siret, orgName: BOIS.name, role: 'company_rep' });
  addAccount(dataDir, { email: 'veille@spectateur.fr', name: 'Spectateur', org: OTHER.siret, orgName: OTHER.name, role: 'company_rep' });
  maildir = path.join(tempDir('limpide-mail-'), 'mail');
  // The relay's port, with nobody listening yet: the first mails fail.
  smtpPort = await freePort();
  server = await startServer({
    dataDir,
    args: ['--rate-limit', '0', '--deposit-grace', '0', '--smtp', `127.0.0.1:${smtpPort}`,
      '--alerts-retry-base-ms', '300', '--alerts-send-timeout-ms', '2000'],
  });
  call = client(server.base);
  for (const [who, email] of [['buyer', 'agent@rennes.fr'], ['acme', 'dce@acme.fr'],
    ['bois', 'offres@bois.fr'], ['other', 'veille@spectateur.fr']]) {
    tokens[who] = await login(call, email);
  }
});

after(async () => {
  if (process.env.LIMPIDE_E2E_STDERR) console.error(server?.stderr());
  if (server) { assert.equal(await server.stop(), 0); server.cleanup(); }
  smtp?.kill('SIGTERM');
});

test('an amendment made while the relay is down reaches the downloader and the depositor once it is up', async () => {
  const deadline = new Date(Date.now() + DEADLINE_MS).toISOString();
  const created = await call('POST', '/api/v1/tenders', { token: tokens.buyer, json: draft({ deadline }) });
  assert.equal(created.status, 201, created.text);
  const id = created.body.id;
  const doc = await call('POST', `/api/v1/tenders/${id}/documents?name=rc.pdf`,
    { token: tokens.buyer, type: 'application/pdf', body: Buffer.from('%PDF-1.4 règlement') });
  assert.equal(doc.status, 201, doc.text);
  const published = await call('POST', `/api/v1/tenders/${id}/publish`, { token: tokens.buyer });
  assert.equal(published.status, 200, published.text);
  tender = published.body.tender;
  secretKey = published.body.opening_key.secret_key;

  // Acme downloads the DCE (signed in) and asks; Bois deposits without downloading.
  const got = await call('GET', `/api/v1/tenders/${id}/documents/${doc.body.sha256}`, { token: tokens.acme });
  assert.equal(got.status, 200);
  const asked = await call('POST', `/api/v1/tenders/${id}/questions`,
    { token: tokens.acme, json: { text: 'Le plan des arbres est-il à jour ?' } });
  assert.equal(asked.status, 201, asked.text);
  tender.question = asked.body.id;
  bids.bois = (await deposit(call, tokens.bois, tender, [{ name: 'offre.txt', bytes: Buffer.from(`${MARKER} Bois`), sealed: true }])).deposit;

  const amended = await call('POST', `/api/v1/tenders/${id}/amendments`, {
    token: tokens.buyer,
    json: { consultation: { ...draft({ deadline }), description: 'Élagage et abattage de 140 arbres' }, summary: 'Nombre d\'arbres porté à 140' },
  });
  assert.equal(amended.status, 200, amended.text);
  // In the application at once, for both companies and nobody else.
  for (const who of ['acme', 'bois']) {
    const notes = await call('GET', '/api/v1/me/notifications', { token: tokens[who] });
    assert.deepEqual(notes.body.data.map((n) => n.kind), ['tender.amended'], who);
  }
  assert.deepEqual((await call('GET', '/api/v1/me/notifications', { token: tokens.other })).body.data, []);

  // The relay is down: the request answered anyway, nothing is lost.
  await new Promise((r) => setTimeout(r, 700));
  assert.deepEqual(mails(), []);
  await startSink();
  const arrived = await until('the amendment mails', () => {
    const m = about('Modification de la consultation');
    return m.length >= 2 && m;
  });
  assert.deepEqual(arrived.map((m) => m.to).sort(), ['dce@acme.fr', 'offres@bois.fr']);
  for (const m of arrived) {
    assert.match(m.subject, /Travaux d'élagage/);
    assert.match(m.body, /Modification n°1 : Nombre d'arbres porté à 140/);
    assert.ok(m.body.includes(`/consultations/${id}`), m.body);
  }
});

test('an answer reaches every company that downloaded or deposited, by mail too', async () => {
  const answered = await call('POST', `/api/v1/tenders/${tender.id}/questions/${tender.question}/answer`,
    { token: tokens.buyer, json: { text: 'Oui, mis à jour le 2 décembre.' } });
  assert.equal(answered.status, 200, answered.text);
  const arrived = await until('the answer mails', () => {
    const m = about('Réponse à une question');
    return m.length >= 2 && m;
  });
  assert.deepEqual(arrived.map((m) => m.to).sort(), ['dce@acme.fr', 'offres@bois.fr']);
  for (const m of arrived) {
    assert.match(m.body, /Question : Le plan des arbres est-il à jour \?/);
    assert.match(m.body, /Réponse : Oui, mis à jour le 2 décembre\./);
  }
});

test('before the award no mail names another company or carries anything of a bid', async () => {
  bids.acme = (await deposit(call, tokens.acme, tender, [{ name: 'offre.txt', bytes: Buffer.from(`${MARKER} Acme`), sealed: false }])).deposit;
  for (const m of mails()) {
    assert.ok(!m.raw.includes(MARKER), m.raw);
    for (const name of [ACME.name, BOIS.name, ACME.siret, BOIS.siret]) assert.ok(!m.raw.includes(name), `${name} in ${m.raw}`);
  }
  assert.ok(!mails().some((m) => m.to === 'veille@spectateur.fr'));
});

test('the award mails every bidder its outcome', async () => {
  const wait = Date.parse(tender.deadline) + 300 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const opened = await call('POST', `/api/v1/tenders/${tender.id}/opening`, { token: tokens.buyer, json: { secret_key: secretKey } });
  assert.equal(opened.status, 200, opened.text);
  assert.equal(opened.body.bids.length, 2);
  const scores = {};
  for (const b of opened.body.bids) {
    const bois = b.company.id === BOIS.siret;
    scores[b.id] = { Prix: bois ? 90 : 70, 'Valeur technique': bois ? 80 : 60 };
  }
  const evaluation = await call('POST', `/api/v1/tenders/${tender.id}/evaluation`, { token: tokens.buyer, json: { scores } });
  assert.equal(evaluation.status, 200, evaluation.text);
  const winner = opened.body.bids.find((b) => b.company.id === BOIS.siret).id;
  const award = await call('POST', `/api/v1/tenders/${tender.id}/award`, { token: tokens.buyer, json: { bid: winner } });
  assert.equal(award.status, 200, award.text);

  const won = await until('the mail to the winner', () => about('Votre offre est retenue').find((m) => m.to === 'offres@bois.fr'));
  assert.match(won.body, /Votre offre est retenue\./);
  assert.match(won.body, /Rang de votre offre : 1/);
  const lost = await until('the mail to the other bidder', () => about('Résultat de la consultation').find((m) => m.to === 'dce@acme.fr'));
  assert.match(lost.body, /Votre offre n'est pas retenue ; l'offre retenue est celle de Bois et Forêts SARL\./);
  assert.match(lost.body, /Rang de votre offre : 2/);
  // Each once, nobody else; nothing of a bid's content, ever.
  await new Promise((r) => setTimeout(r, 700));
  const results = mails().filter((m) => /Votre offre est retenue|Résultat de la consultation/.test(m.subject));
  assert.deepEqual(results.map((m) => m.to).sort(), ['dce@acme.fr', 'offres@bois.fr']);
  for (const m of mails()) assert.ok(!m.raw.includes(MARKER), m.raw);
  assert.ok(!mails().some((m) => m.to === 'veille@spectateur.fr'));
  assert.ok(!mails().some((m) => m.to === 'agent@rennes.fr'));
});
