// `limpide copy` (issue 7): a platform built on SQLite — the real DECP files,
// an account registered through the API, a consultation with a document and a
// deposit — moves to PostgreSQL; a server on the copy gives the same answers,
// the same ledger root, and the sessions opened before still work. Broken
// input: a non-empty destination, an unreachable one, a bad URL, a missing
// source.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { REAL_FILES, runImport, startServer, tempDir } from './harness.mjs';
import { addAccount, client, draft, login, siret } from './procedure.mjs';
import { newDatabase, run, shareLedgerKey, skipWithoutPostgres as skip } from './pgutil.mjs';

// What two signed heads of the same tree by the same key share.
const treeOf = (h) => ({ tree_size: h.tree_size, root_hash: h.root_hash, key_id: h.key_id });

const BUYER = { siret: siret('2135023880001'), name: 'Commune de Rennes' };
const COMPANY = {
  email: 'marie@exemple.fr', password: 'un mot de passe solide', name: 'Marie Curie',
  siret: '73282932000074', organizationName: 'Travaux du Sud',
};

let db;
let dataDir;
const seen = {};  // answers of the SQLite server, compared with the PostgreSQL one's

// The answers a client would compare between the two servers.
async function snapshot(call, tenderId, token) {
  const out = {};
  out.head = (await call('GET', '/api/v1/ledger/head')).body;
  out.contracts = (await call('GET', '/api/v1/contracts?limit=200')).text;
  out.filtered = (await call('GET', '/api/v1/contracts?cpv=45&limit=50')).text;
  out.tender = (await call('GET', `/api/v1/tenders/${tenderId}`)).text;
  out.tenders = (await call('GET', '/api/v1/tenders')).text;
  out.feed = (await call('GET', '/api/v1/feed?limit=1000')).text;
  out.me = (await call('GET', '/api/v1/me', { token })).text;
  out.deposits = (await call('GET', `/api/v1/tenders/${tenderId}/deposits`, { token })).text;
  const first = JSON.parse(out.contracts).data[0];
  out.org = (await call('GET', `/api/v1/organizations/${first.buyer.id}`)).text;
  return out;
}

before(async () => {
  if (skip) return;
  db = newDatabase('limpide_copy');
  dataDir = tempDir();
  const imported = runImport(dataDir, REAL_FILES);
  assert.equal(imported.status, 0, imported.stderr);
  addAccount(dataDir, { email: 'agent@rennes.fr', name: 'Agent', org: BUYER.siret, orgName: BUYER.name, role: 'buyer_agent' });
  const server = await startServer({ dataDir, args: ['--rate-limit', '0'] });
  try {
    const call = client(server.base);
    const registered = await call('POST', '/api/v1/accounts', { json: COMPANY });
    assert.equal(registered.status, 201, registered.text);
    const buyer = await login(call, 'agent@rennes.fr');
    seen.company = await login(call, COMPANY.email);
    const deadline = new Date(Date.now() + 3_600_000).toISOString();
    const t = await call('POST', '/api/v1/tenders', { token: buyer, json: draft({ deadline }) });
    assert.equal(t.status, 201, t.text);
    const doc = await call('POST', `/api/v1/tenders/${t.body.id}/documents?name=rc.pdf`,
      { token: buyer, type: 'application/pdf', body: Buffer.from('%PDF-1.4 règlement') });
    assert.equal(doc.status, 201, doc.text);
    seen.doc = doc.body.sha256;
    const p = await call('POST', `/api/v1/tenders/${t.body.id}/publish`, { token: buyer });
    assert.equal(p.status, 200, p.text);
    seen.tender = t.body.id;
    const d = await call('POST', `/api/v1/tenders/${seen.tender}/deposits?name=offre.txt&sealed=false`,
      { token: seen.company, type: 'application/octet-stream', body: Buffer.from('offre de Travaux du Sud') });
    assert.equal(d.status, 201, d.text);
    seen.answers = await snapshot(call, seen.tender, seen.company);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

after(() => { if (!skip) db.drop(); });

test('copy moves the whole platform to PostgreSQL, verified by counts and ledger root', { skip }, async () => {
  const r = run(['copy', '--from', `sqlite:${path.join(dataDir, 'limpide.db')}`, '--to', db.url, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.destination, report.source);
  assert.ok(report.source.contracts > 1000, r.stdout);
  assert.equal(report.source.ledger_entries, seen.answers.head.tree_size);
  for (const kind of ['user', 'token', 'tender', 'deposit']) assert.ok(report.source.objects[kind] >= 1, `${kind}: ${r.stdout}`);
  assert.ok(report.source.blobs >= 2, r.stdout);  // the DCE document and the deposit
  assert.equal(report.source_root, report.destination_root);
  assert.equal(report.destination_root, seen.answers.head.root_hash);

  // A node on the copy (a new data directory: its search index is rebuilt from the ledger).
  const nodeDir = tempDir();
  shareLedgerKey(dataDir, nodeDir);
  const server = await startServer({ dataDir: nodeDir, args: ['--rate-limit', '0', '--database', db.url] });
  try {
    const call = client(server.base);
    const now = await snapshot(call, seen.tender, seen.company);
    // Same tree, same signature key (each process signs its own head, with its own timestamp).
    assert.deepEqual(treeOf(now.head), treeOf(seen.answers.head));
    for (const k of Object.keys(seen.answers)) if (k !== 'head') assert.equal(now[k], seen.answers[k], k);
    // The session opened on SQLite still works; the document's bytes came along.
    const docBytes = await call('GET', `/api/v1/tenders/${seen.tender}/documents/${seen.doc}`, { token: seen.company });
    assert.equal(docBytes.status, 200);
    assert.equal(docBytes.bytes.toString(), '%PDF-1.4 règlement');
    // Writes go on from the copied ledger.
    assert.equal((await call('POST', '/api/v1/session', { json: { email: COMPANY.email, password: COMPANY.password } })).status, 201);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('copy refuses a destination that is not empty, and leaves it as it was', { skip }, () => {
  const before = run(['copy', '--from', `sqlite:${path.join(dataDir, 'limpide.db')}`, '--to', db.url]);
  assert.equal(before.status, 1);
  assert.match(before.stderr, /limpide copy: failed_precondition: the destination is not empty \(\d+ contracts/);
  assert.equal(before.stdout, '');
});

test('copy names what is wrong with its arguments or its stores', { skip }, () => {
  const src = `sqlite:${path.join(dataDir, 'limpide.db')}`;
  const bad = run(['copy', '--from', src, '--to', 'mysql://localhost/x']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--to must be sqlite:PATH or postgresql:\/\/…, got 'mysql:\/\/localhost\/x'/);
  const missing = run(['copy', '--from', 'sqlite:/nonexistent/limpide.db', '--to', `sqlite:${path.join(tempDir(), 'x.db')}`]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--from: no SQLite store at \/nonexistent\/limpide.db/);
  const unreachable = run(['copy', '--from', src, '--to', 'postgresql://postgres@127.0.0.1:1/nowhere']);
  assert.equal(unreachable.status, 1);
  assert.match(unreachable.stderr, /--to: unavailable: cannot connect to PostgreSQL at 127.0.0.1:1\/nowhere/);
  const same = run(['copy', '--from', src, '--to', src]);
  assert.equal(same.status, 2);
  const usage = run(['copy', '--from', src]);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--to is required/);
});

test('copy back from PostgreSQL to a new SQLite file gives the same root', { skip }, () => {
  const back = path.join(tempDir(), 'back.db');
  const r = run(['copy', '--from', db.url, '--to', `sqlite:${back}`, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.destination, report.source);
  assert.equal(report.destination_root, report.source_root);
});
