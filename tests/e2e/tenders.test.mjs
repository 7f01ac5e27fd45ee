// The procedure from notice to contract through HTTP against the real binary
// (docs/tenders.md): a buyer publishes, two companies deposit (one twice, one
// also late), the buyer opens after the deadline, scores, awards and signs;
// the DECP record appears with the number of bids; nothing of a bid is
// readable before the deadline, not even in the SQLite file or the logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, startServer, tempDir } from './harness.mjs';
import { addAccount, client, deposit, draft, login, siret } from './procedure.mjs';

const BUYER = { siret: siret('2135023880001'), name: 'Commune de Rennes' };
const ACME = { siret: siret('7328293200007'), name: 'Élagage Acme' };
const BOIS = { siret: siret('4420591390001'), name: 'Bois et Forêts SARL' };
// A string that appears only inside the bids.
const MARKER = 'MARQUEUR-SECRET-7f3a9c41e2';
const GRACE_SECONDS = 1;

let server;
let call;
const bodies = [];
const tokens = {};
let tender;
let secretKey;
const receipts = {};
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

before(async () => {
  const dataDir = tempDir();
  addAccount(dataDir, { email: 'agent@rennes.fr', name: 'Agent', org: BUYER.siret, orgName: BUYER.name, role: 'buyer_agent' });
  addAccount(dataDir, { email: 'agent@autre.fr', name: 'Autre', org: siret('2175000160001'), orgName: 'Autre acheteur', role: 'buyer_agent' });
  addAccount(dataDir, { email: 'contact@acme.fr', name: 'Acme', org: ACME.siret, orgName: ACME.name, role: 'company_rep' });
  addAccount(dataDir, { email: 'contact@bois.fr', name: 'Bois', org: BOIS.siret, orgName: BOIS.name, role: 'company_rep' });
  // Access log on: the logs are searched for the marker too.
  server = await startServer({ dataDir, args: ['--rate-limit', '0', '--deposit-grace', String(GRACE_SECONDS)] });
  call = client(server.base, bodies);
  tokens.buyer = await login(call, 'agent@rennes.fr');
  tokens.other = await login(call, 'agent@autre.fr');
  tokens.acme = await login(call, 'contact@acme.fr');
  tokens.bois = await login(call, 'contact@bois.fr');
});

after(async () => {
  if (process.env.LIMPIDE_E2E_STDERR) console.error(server.stderr());
  assert.equal(await server.stop(), 0);
  server.cleanup();
});

test('a buyer writes a draft that nobody else sees, then publishes it', async () => {
  const deadline = new Date(Date.now() + 8000).toISOString();
  const created = await call('POST', '/api/v1/tenders', { token: tokens.buyer, json: draft({ deadline }) });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.state.code, 'draft');
  assert.equal(created.body.buyer.id, BUYER.siret);
  const id = created.body.id;
  assert.equal((await call('GET', `/api/v1/tenders/${id}`)).status, 404);
  assert.equal((await call('GET', `/api/v1/tenders/${id}`, { token: tokens.acme })).status, 404);
  assert.equal((await call('GET', `/api/v1/tenders/${id}`, { token: tokens.buyer })).status, 200);
  // Another buyer's agent cannot publish it.
  assert.equal((await call('POST', `/api/v1/tenders/${id}/publish`, { token: tokens.other })).status, 403);

  const doc = await call('POST', `/api/v1/tenders/${id}/documents?name=${encodeURIComponent('Règlement de consultation.pdf')}`,
    { token: tokens.buyer, type: 'application/pdf', body: Buffer.from('%PDF-1.4 règlement') });
  assert.equal(doc.status, 201, doc.text);
  assert.equal(doc.body.sha256, sha256(Buffer.from('%PDF-1.4 règlement')));

  const published = await call('POST', `/api/v1/tenders/${id}/publish`, { token: tokens.buyer });
  assert.equal(published.status, 200, published.text);
  tender = published.body.tender;
  secretKey = published.body.opening_key.secret_key;
  assert.equal(tender.state.code, 'published');
  assert.equal(tender.opening_public_key, published.body.opening_key.public_key);
  // The secret key is given once: never in the public form.
  const pub = await call('GET', `/api/v1/tenders/${id}`);
  assert.equal(pub.status, 200);
  assert.ok(!pub.text.includes(secretKey));
  assert.equal(pub.body.maxDocumentBytes, 4 * 1024 * 1024);
  const list = await call('GET', '/api/v1/tenders');
  assert.ok(list.body.data.some((t) => t.id === id));
  // The public page, without logging in.
  const page = await call('GET', `/consultations/${id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /Travaux d&#39;élagage des arbres du parc municipal|Travaux d'élagage des arbres du parc municipal/);
  assert.match(page.text, /Date limite de remise des offres/);
  assert.ok(page.text.includes(tender.opening_public_key));
  assert.ok(page.text.includes('Règlement de consultation.pdf'));
  const listPage = await call('GET', '/consultations');
  assert.ok(listPage.text.includes(`/consultations/${id}`));
  // A company downloads the DCE (and will hear of the answers).
  const dl = await call('GET', `/api/v1/tenders/${id}/documents/${doc.body.sha256}`, { token: tokens.bois });
  assert.equal(dl.status, 200);
  assert.equal(dl.bytes.toString(), '%PDF-1.4 règlement');
});

test('questions: the asker stays hidden, the answer is public and notified', async () => {
  const q = await call('POST', `/api/v1/tenders/${tender.id}/questions`, { token: tokens.acme, json: { text: 'Faut-il évacuer les déchets verts ?' } });
  assert.equal(q.status, 201, q.text);
  assert.equal((await call('GET', `/api/v1/tenders/${tender.id}/questions`)).body.data.length, 0);
  const a = await call('POST', `/api/v1/tenders/${tender.id}/questions/${q.body.id}/answer`, { token: tokens.buyer, json: { text: 'Oui, en filière agréée.' } });
  assert.equal(a.status, 200, a.text);
  const pub = await call('GET', `/api/v1/tenders/${tender.id}/questions`);
  assert.equal(pub.body.data.length, 1);
  assert.ok(!pub.text.includes(ACME.siret) && !pub.text.includes('Acme'));
  const notes = await call('GET', '/api/v1/me/notifications', { token: tokens.bois });
  assert.ok(notes.body.data.some((n) => n.kind === 'tender.question_answered'), notes.text);
});

test('deposits before the deadline: sealed by the browser or by the server, receipts signed', async () => {
  const first = await deposit(call, tokens.acme, tender, [
    { name: 'offre.pdf', bytes: Buffer.from(`première offre ${MARKER} 51000 EUR`), sealed: true },
  ]);
  // A second, larger deposit replaces the first: the last before the deadline counts.
  const big = Buffer.alloc(1024 * 1024 + 333, 7);
  Buffer.from(`offre finale ${MARKER} 48000 EUR`).copy(big, 1024 * 1024 + 2);
  receipts.acme = await deposit(call, tokens.acme, tender, [
    { name: 'offre.pdf', bytes: big, sealed: true },
    { name: 'mémoire technique.txt', bytes: Buffer.from(`mémoire ${MARKER}`), sealed: false },
  ]);
  receipts.acmeBig = big;
  receipts.bois = await deposit(call, tokens.bois, tender, [
    { name: 'offre.txt', bytes: Buffer.from(`offre Bois ${MARKER} 47000 EUR`), sealed: false },
  ]);
  const r = receipts.acme.receipt;
  assert.equal(r.receipt.depositor.id, ACME.siret);
  assert.equal(r.receipt.consultation.id, tender.id);
  assert.equal(r.receipt.late, false);
  assert.equal(r.receipt.documents.length, 2);
  assert.equal(r.receipt.documents[0].chunk_sha256.length, 2);
  assert.match(r.receipt.received, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(r.receipt.sealed_by_server, true);
  assert.ok(first.receipt.signature);
  // Completing again gives the same receipt.
  const again = await call('POST', `/api/v1/tenders/${tender.id}/deposits/${receipts.acme.deposit.id}/complete`, { token: tokens.acme });
  assert.deepEqual(again.body, r);
  // The signed receipt verifies offline against the published key.
  const dir = tempDir();
  writeFileSync(path.join(dir, 'receipt.json'), JSON.stringify(r));
  writeFileSync(path.join(dir, 'key.json'), (await call('GET', '/api/v1/ledger/key')).text);
  const v = spawnSync(BIN, ['verify', 'receipt', path.join(dir, 'receipt.json'), '--key', path.join(dir, 'key.json')], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stdout + v.stderr);
});

test('before the deadline nothing tells who deposited, how many, or what', async () => {
  // Each company sees only its own deposits.
  const mine = await call('GET', `/api/v1/tenders/${tender.id}/deposits`, { token: tokens.bois });
  assert.equal(mine.status, 200);
  assert.equal(mine.body.data.length, 1);
  assert.ok(!mine.text.includes(ACME.siret));
  const other = await call('GET', `/api/v1/tenders/${tender.id}/deposits/${receipts.acme.deposit.id}`, { token: tokens.bois });
  assert.equal(other.status, 404);
  // The buyer's history has no deposit yet; opening is refused.
  const events = await call('GET', `/api/v1/tenders/${tender.id}/events`, { token: tokens.buyer });
  assert.equal(events.status, 200);
  assert.ok(!events.body.data.some((e) => e.kind.startsWith('deposit.')), events.text);
  const early = await call('POST', `/api/v1/tenders/${tender.id}/opening`, { token: tokens.buyer, json: { secret_key: secretKey } });
  assert.equal(early.status, 409, early.text);
  // The public form, the feed, the ledger: no count, no bidder.
  const pub = await call('GET', `/api/v1/tenders/${tender.id}`);
  for (const text of [pub.text, (await call('GET', '/api/v1/feed?limit=1000')).text]) {
    assert.ok(!text.includes(ACME.siret) && !text.includes(BOIS.siret));
  }
  // Not one response body, not the SQLite files, not the logs hold the marker.
  for (const b of bodies) assert.ok(!b.includes(MARKER));
  for (const f of readdirSync(server.dataDir)) {
    if (!f.startsWith('limpide.db')) continue;
    const raw = readFileSync(path.join(server.dataDir, f));
    assert.equal(raw.indexOf(MARKER), -1, `${f} holds the marker`);
  }
  assert.ok(!server.stderr().includes(MARKER));
});

test('after the deadline: a late deposit is kept and flagged; the receipts are anchored in the ledger', async () => {
  const wait = Date.parse(tender.deadline) + GRACE_SECONDS * 1000 + 300 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const late = await deposit(call, tokens.bois, tender, [
    { name: 'offre-tardive.txt', bytes: Buffer.from(`offre tardive ${MARKER}`), sealed: false },
  ]);
  assert.equal(late.receipt.receipt.late, true);
  // Withdrawing after the deadline is refused.
  const w = await call('DELETE', `/api/v1/tenders/${tender.id}/deposits/${receipts.bois.deposit.id}`, { token: tokens.bois });
  assert.equal(w.status, 409);
  // The receipt's proofs: in the consultation's receipts tree, whose root is in the ledger.
  const proof = await call('GET', `/api/v1/tenders/${tender.id}/deposits/${receipts.acme.deposit.id}/proof`, { token: tokens.acme });
  assert.equal(proof.status, 200, proof.text);
  assert.equal(proof.body.proof.ledger.entry.kind, 'tender.deposits_sealed');
  assert.equal(proof.body.proof.ledger.entry.body.receipts, 3);
  const dir = tempDir();
  writeFileSync(path.join(dir, 'receipt.json'), JSON.stringify(proof.body.receipt));
  writeFileSync(path.join(dir, 'proof.json'), JSON.stringify(proof.body.proof));
  writeFileSync(path.join(dir, 'head.json'), JSON.stringify(proof.body.head));
  writeFileSync(path.join(dir, 'key.json'), (await call('GET', '/api/v1/ledger/key')).text);
  const v = spawnSync(BIN, ['verify', 'receipt', path.join(dir, 'receipt.json'), '--key', path.join(dir, 'key.json'),
    '--proof', path.join(dir, 'proof.json'), '--head', path.join(dir, 'head.json')], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stdout + v.stderr);
});

test('the buyer opens with its key, scores, awards and signs; the DECP record counts the bids', async () => {
  const wrong = await call('POST', `/api/v1/tenders/${tender.id}/opening`, { token: tokens.buyer, json: { secret_key: Buffer.alloc(32, 1).toString('base64') } });
  assert.equal(wrong.status, 400, wrong.text);
  assert.equal(wrong.body.field, 'secret_key');
  const opened = await call('POST', `/api/v1/tenders/${tender.id}/opening`, { token: tokens.buyer, json: { secret_key: secretKey } });
  assert.equal(opened.status, 200, opened.text);
  assert.equal(opened.body.bids.length, 2);
  assert.equal(opened.body.late_deposits, 1);
  const acme = opened.body.bids.find((b) => b.company.id === ACME.siret);
  assert.equal(acme.id, receipts.acme.deposit.id, 'the last deposit counts');
  assert.equal(acme.opened, true);
  assert.equal(acme.documents[0].plaintext_sha256, sha256(receipts.acmeBig));
  const bois = opened.body.bids.find((b) => b.company.id === BOIS.siret);
  assert.equal(bois.id, receipts.bois.deposit.id, 'the late deposit is not opened');

  // The sealed file of a bid opens with `limpide open` and the secret key.
  const file = await call('GET', `/api/v1/tenders/${tender.id}/bids/${acme.id}/documents/0`, { token: tokens.buyer });
  assert.equal(file.status, 200);
  const dir = tempDir();
  writeFileSync(path.join(dir, 'offre.pdf.sealed'), file.bytes);
  writeFileSync(path.join(dir, 'key.secret'), `${secretKey}\n`);
  const o = spawnSync(BIN, ['open', '--secret-key-file', path.join(dir, 'key.secret'), path.join(dir, 'offre.pdf.sealed')], { encoding: 'utf8' });
  assert.equal(o.status, 0, o.stderr);
  assert.ok(readFileSync(path.join(dir, 'offre.pdf')).equals(receipts.acmeBig));

  const evaluation = await call('POST', `/api/v1/tenders/${tender.id}/evaluation`, {
    token: tokens.buyer,
    json: { scores: { [acme.id]: { Prix: 80, 'Valeur technique': 90 }, [bois.id]: { Prix: 90, 'Valeur technique': 60 } } },
  });
  assert.equal(evaluation.status, 200, evaluation.text);
  assert.equal(evaluation.body.ranking[0].bid, acme.id);
  assert.equal(evaluation.body.ranking[0].total_hundredths, 80 * 60 + 90 * 40);

  const award = await call('POST', `/api/v1/tenders/${tender.id}/award`, { token: tokens.buyer, json: { bid: acme.id } });
  assert.equal(award.status, 200, award.text);
  const notes = await call('GET', '/api/v1/me/notifications', { token: tokens.bois });
  assert.ok(notes.body.data.some((n) => n.kind === 'bid.rejected' && n.tender === tender.id), notes.text);
  const won = await call('GET', '/api/v1/me/notifications', { token: tokens.acme });
  assert.ok(won.body.data.some((n) => n.kind === 'bid.retained'), won.text);

  const signed = await call('POST', `/api/v1/tenders/${tender.id}/signature`, { token: tokens.buyer, json: { amount: '48000.00', duration_months: 6 } });
  assert.equal(signed.status, 200, signed.text);
  assert.equal(signed.body.state.code, 'data_published');
  const uid = signed.body.contract.uid;
  const contract = await call('GET', `/api/v1/contracts/${encodeURIComponent(uid)}`);
  assert.equal(contract.status, 200, contract.text);
  assert.equal(contract.body.extra.offresRecues, 2);
  assert.equal(contract.body.holders[0].id, ACME.siret);

  // Every public step is in the ledger, in order.
  const entries = await call('GET', '/api/v1/ledger/entries?start=0');
  const kinds = entries.body.entries.map((e) => e.entry)
    .filter((e) => e.subject === tender.id || e.subject === uid).map((e) => e.kind);
  assert.deepEqual(kinds, ['tender.published', 'tender.question_answered', 'tender.deposits_sealed',
    'tender.opened', 'tender.awarded', 'contract.created', 'tender.signed']);
  // The buyer's history now shows the deposits.
  const events = await call('GET', `/api/v1/tenders/${tender.id}/events`, { token: tokens.buyer });
  assert.equal(events.body.data.filter((e) => e.kind === 'deposit.received').length, 4);
});

test('bad input: wrong content type, oversized document, unknown consultation, forged token', async () => {
  const deadline = new Date(Date.now() + 60_000).toISOString();
  const t = await call('POST', '/api/v1/tenders', { token: tokens.buyer, json: draft({ deadline }) });
  const p = await call('POST', `/api/v1/tenders/${t.body.id}/publish`, { token: tokens.buyer });
  const id = p.body.tender.id;
  const wrongType = await call('POST', `/api/v1/tenders/${id}/deposits`, { token: tokens.acme, type: 'text/plain', body: '{}' });
  assert.equal(wrongType.status, 415);
  const tooBig = await call('POST', `/api/v1/tenders/${id}/deposits`, { token: tokens.acme, json: { documents: [{ name: 'x.pdf', size: 5 * 1024 * 1024 }] } });
  assert.equal(tooBig.status, 413, tooBig.text);
  assert.equal(tooBig.body.field, 'documents[0].size');
  const unknown = await call('POST', '/api/v1/tenders/2026-01-01-deadbeef/deposits', { token: tokens.acme, json: { documents: [{ name: 'x.pdf', size: 1 }] } });
  assert.equal(unknown.status, 404);
  const forged = await call('POST', `/api/v1/tenders/${id}/deposits`, { token: 'lmp_forgedforgedforgedforgedforgedforgedforged1', json: { documents: [{ name: 'x.pdf', size: 1 }] } });
  assert.equal(forged.status, 401);
  // A chunk of the wrong length is refused and nothing is stored for it.
  const d = await call('POST', `/api/v1/tenders/${id}/deposits`, { token: tokens.acme, json: { documents: [{ name: 'x.pdf', size: 10, sealed: true }] } });
  const chunk = await call('PUT', `/api/v1/tenders/${id}/deposits/${d.body.id}/documents/0/chunks/0`, { token: tokens.acme, type: 'application/octet-stream', body: Buffer.alloc(20) });
  assert.equal(chunk.status, 400, chunk.text);
  const incomplete = await call('POST', `/api/v1/tenders/${id}/deposits/${d.body.id}/complete`, { token: tokens.acme });
  assert.equal(incomplete.status, 409, incomplete.text);
  // A deposit on a cancelled consultation.
  const c = await call('POST', `/api/v1/tenders/${id}/cancel`, { token: tokens.buyer, json: { reason: 'Besoin disparu' } });
  assert.equal(c.status, 200, c.text);
  const closed = await call('POST', `/api/v1/tenders/${id}/deposits`, { token: tokens.acme, json: { documents: [{ name: 'x.pdf', size: 1 }] } });
  assert.equal(closed.status, 409);
});

test('a document under 1 MiB is deposited in one request, sealed or not', async () => {
  const deadline = new Date(Date.now() + 60_000).toISOString();
  const t = await call('POST', '/api/v1/tenders', { token: tokens.buyer, json: draft({ deadline }) });
  const p = await call('POST', `/api/v1/tenders/${t.body.id}/publish`, { token: tokens.buyer });
  const pub = p.body.tender;
  const { seal: s, sodium } = await import('./procedure.mjs');
  const key = s.publicKeyFromBase64(sodium, pub.opening_public_key);
  const sealedChunk = s.sealDocument(sodium, key, new TextEncoder().encode(`offre ${MARKER}`))[0];
  const one = await call('POST', `/api/v1/tenders/${pub.id}/deposits?name=offre.pdf`, { token: tokens.acme, type: 'application/octet-stream', body: sealedChunk });
  assert.equal(one.status, 201, one.text);
  assert.equal(one.body.receipt.documents[0].size, `offre ${MARKER}`.length);
  assert.equal(one.body.receipt.documents[0].chunk_sha256[0], sha256(Buffer.from(sealedChunk)));
  assert.equal(one.body.receipt.sealed_by_server, false);
  const plain = await call('POST', `/api/v1/tenders/${pub.id}/deposits?name=offre.txt&sealed=false`, { token: tokens.bois, type: 'application/octet-stream', body: Buffer.from(`offre ${MARKER}`) });
  assert.equal(plain.status, 201, plain.text);
  assert.equal(plain.body.receipt.sealed_by_server, true);
  const big = await call('POST', `/api/v1/tenders/${pub.id}/deposits?name=big.pdf&sealed=false`, { token: tokens.bois, type: 'application/octet-stream', body: Buffer.alloc(1024 * 1024) });
  assert.equal(big.status, 413, big.text);
  const noName = await call('POST', `/api/v1/tenders/${pub.id}/deposits`, { token: tokens.bois, type: 'application/octet-stream', body: Buffer.from('x') });
  assert.equal(noName.status, 400);
  assert.equal(noName.body.field, 'name');
  const short = await call('POST', `/api/v1/tenders/${pub.id}/deposits?name=x.pdf`, { token: tokens.bois, type: 'application/octet-stream', body: Buffer.alloc(10) });
  assert.equal(short.status, 400);
  const mine = await call('GET', `/api/v1/tenders/${pub.id}/deposits`, { token: tokens.acme });
  assert.equal(mine.body.data.length, 1);
  assert.equal(mine.body.data[0].state, 'complete');
  for (const f of readdirSync(server.dataDir)) {
    if (f.startsWith('limpide.db')) assert.equal(readFileSync(path.join(server.dataDir, f)).indexOf(MARKER), -1);
  }
});

test('a test consultation lets a company simulate a deposit, and never reaches the open data', async () => {
  const deadline = new Date(Date.now() + 60_000).toISOString();
  const t = await call('POST', '/api/v1/tenders', { token: tokens.buyer, json: { ...draft({ deadline, title: 'Consultation de test' }), test: true } });
  assert.equal(t.status, 201, t.text);
  const p = await call('POST', `/api/v1/tenders/${t.body.id}/publish`, { token: tokens.buyer });
  assert.equal(p.status, 200, p.text);
  const dep = await call('POST', `/api/v1/tenders/${t.body.id}/deposits?name=essai.txt&sealed=false`, { token: tokens.acme, type: 'application/octet-stream', body: Buffer.from('essai') });
  assert.equal(dep.status, 201, dep.text);
  assert.equal(dep.body.receipt.consultation.id, t.body.id);
  assert.ok(!(await call('GET', '/api/v1/tenders')).body.data.some((x) => x.id === t.body.id));
  assert.ok((await call('GET', '/api/v1/tenders?test=1')).body.data.some((x) => x.id === t.body.id));
  const entries = await call('GET', '/api/v1/ledger/entries?start=0');
  assert.ok(!entries.body.entries.some((e) => e.entry.subject === t.body.id));
});
