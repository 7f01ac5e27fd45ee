// Several nodes on one PostgreSQL database (issue 7): two `limpide serve`
// processes take concurrent publications, deposits and registrations for a
// few seconds; then the ledger verifies offline, the change feed read from
// either node is the same, gapless, with every publication exactly once; a
// session opened on one node works on the other; each node's search index
// catches up. Scheduled work (closing at the deadline) holds one lease across
// nodes. Then one node is killed (SIGKILL) during writes: the other keeps
// serving and takes the scheduled work over; restarted, the killed one catches up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, EXAMPLES_2, startServer, tempDir } from './harness.mjs';
import { client, draft, login, siret } from './procedure.mjs';
import { addAccountTo, newDatabase, psql, run, shareLedgerKey, skipWithoutPostgres as skip } from './pgutil.mjs';

const BUYER = { siret: siret('2135023880001'), name: 'Commune de Rennes' };
const ACME = { siret: siret('7328293200007'), name: 'Élagage Acme' };
let db;
let dirA;
let dirB;
let nodeA;
let nodeB;
let tokens = {};
let openTender;  // a published consultation with a far deadline, for deposits
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startNode(dataDir) {
  return startServer({ dataDir, args: ['--rate-limit', '0', '--database', db.url] });
}

// The whole change feed of a node, page by page.
async function wholeFeed(base) {
  const call = client(base);
  const items = [];
  let after = '';
  for (;;) {
    const r = await call('GET', `/api/v1/feed?limit=1000${after ? `&after=${after}` : ''}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.body.data);
    if (r.body.synced) return items;
    after = r.body.next;
  }
}

// Writes through `base` until `until()` is true; returns what was acknowledged.
async function writer(base, role, n, until) {
  const call = client(base);
  const done = { published: [], deposits: 0, accounts: 0, errors: [] };
  for (let i = 0; !until(); i++) {
    try {
      if (role === 'buyer') {
        const deadline = new Date(Date.now() + 3_600_000).toISOString();
        const t = await call('POST', '/api/v1/tenders', { token: tokens.buyer, json: draft({ deadline, title: `Lot ${n}-${i} de travaux de voirie communale` }) });
        if (t.status !== 201) { done.errors.push(t.text); continue; }
        const p = await call('POST', `/api/v1/tenders/${t.body.id}/publish`, { token: tokens.buyer });
        if (p.status === 200) done.published.push(t.body.id); else done.errors.push(p.text);
      } else if (role === 'company') {
        const d = await call('POST', `/api/v1/tenders/${openTender}/deposits?name=offre-${n}-${i}.txt&sealed=false`,
          { token: tokens.acme, type: 'application/octet-stream', body: Buffer.from(`offre ${n} ${i}`) });
        if (d.status === 201) done.deposits++; else done.errors.push(d.text);
      } else {
        const prefix = String(1000000000000 + n * 100000 + i).slice(-13);
        const r = await call('POST', '/api/v1/accounts', { json: {
          email: `rep-${n}-${i}@exemple.fr`, password: 'un mot de passe solide', name: `Rep ${n} ${i}`,
          siret: siret(prefix), organizationName: `Entreprise ${n}-${i}` } });
        if (r.status === 201) done.accounts++; else done.errors.push(r.text);
      }
    } catch (e) {
      done.errors.push(String(e));
    }
  }
  return done;
}

before(async () => {
  if (skip) return;
  db = newDatabase('limpide_nodes');
  dirA = tempDir();
  dirB = tempDir();
  const imported = run(['import', '--data-dir', dirA, '--database', db.url, '--json', ...EXAMPLES_2]);
  assert.equal(imported.status, 0, imported.stderr);
  addAccountTo(db.url, dirA, { email: 'agent@rennes.fr', name: 'Agent', org: BUYER.siret, orgName: BUYER.name, role: 'buyer_agent' });
  addAccountTo(db.url, dirA, { email: 'contact@acme.fr', name: 'Acme', org: ACME.siret, orgName: ACME.name, role: 'company_rep' });
  nodeA = await startNode(dirA);
  shareLedgerKey(dirA, dirB);
  nodeB = await startNode(dirB);
  const callA = client(nodeA.base);
  tokens.buyer = await login(callA, 'agent@rennes.fr');
  tokens.acme = await login(callA, 'contact@acme.fr');
  const deadline = new Date(Date.now() + 3_600_000).toISOString();
  const t = await callA('POST', '/api/v1/tenders', { token: tokens.buyer, json: draft({ deadline }) });
  assert.equal(t.status, 201, t.text);
  assert.equal((await callA('POST', `/api/v1/tenders/${t.body.id}/publish`, { token: tokens.buyer })).status, 200);
  openTender = t.body.id;
});

after(async () => {
  if (skip) return;
  for (const n of [nodeA, nodeB]) if (n) await n.stop();
  db.drop();
});

test('a session opened on one node works on the other', { skip }, async () => {
  const callB = client(nodeB.base);
  const me = await callB('GET', '/api/v1/me', { token: tokens.buyer });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.email, 'agent@rennes.fr');
  // A token made on B works on A.
  const made = await callB('POST', '/api/v1/me/tokens', { token: tokens.acme, json: { scopes: ['read', 'deposits'] } });
  assert.equal(made.status, 201, made.text);
  const onA = await client(nodeA.base)('GET', '/api/v1/me', { token: made.body.token });
  assert.equal(onA.status, 200, onA.text);
  // Closing the session on A ends it on B.
  const session = await login(client(nodeA.base), 'agent@rennes.fr');
  assert.equal((await client(nodeA.base)('DELETE', '/api/v1/session', { token: session })).status, 204);
  assert.equal((await callB('GET', '/api/v1/me', { token: session })).status, 401);
});

test('concurrent writes through both nodes keep one linear ledger and one feed', { skip }, async () => {
  const start = Date.now();
  const until = () => Date.now() - start > 4000;
  const results = await Promise.all([
    writer(nodeA.base, 'buyer', 1, until), writer(nodeB.base, 'buyer', 2, until),
    writer(nodeA.base, 'company', 3, until), writer(nodeB.base, 'company', 4, until),
    writer(nodeA.base, 'account', 5, until), writer(nodeB.base, 'account', 6, until),
  ]);
  for (const r of results) assert.deepEqual(r.errors, []);
  const published = results.flatMap((r) => r.published);
  assert.ok(published.length >= 4, `only ${published.length} publications`);
  assert.ok(results[2].deposits + results[3].deposits >= 4);
  assert.ok(results[4].accounts + results[5].accounts >= 2);

  // The same feed from either node: positions 0..n-1, no gap, no double.
  const [feedA, feedB] = await Promise.all([wholeFeed(nodeA.base), wholeFeed(nodeB.base)]);
  assert.deepEqual(feedB, feedA);
  feedA.forEach((e, i) => assert.equal(e.seq, i));
  const publications = feedA.filter((e) => e.kind === 'tender.published').map((e) => e.subject);
  assert.equal(new Set(publications).size, publications.length, 'a publication twice');
  for (const id of published) assert.ok(publications.includes(id), `publication of ${id} missing`);

  // Every deposit acknowledged is stored once.
  const mine = await client(nodeB.base)('GET', `/api/v1/tenders/${openTender}/deposits`, { token: tokens.acme });
  assert.equal(mine.status, 200, mine.text);

  // The ledger verifies offline, against a head signed by either node.
  const head = (await client(nodeB.base)('GET', '/api/v1/ledger/head')).body;
  const headA = (await client(nodeA.base)('GET', `/api/v1/ledger/head`)).body;
  assert.ok(headA.tree_size >= head.tree_size);
  const key = (await client(nodeA.base)('GET', '/api/v1/ledger/key')).body;
  const dump = await client(nodeA.base)('GET', `/api/v1/ledger/dump?tree_size=${head.tree_size}`);
  assert.equal(dump.status, 200);
  const work = tempDir();
  writeFileSync(path.join(work, 'dump.jsonl'), dump.text);
  writeFileSync(path.join(work, 'head.json'), JSON.stringify(head));
  writeFileSync(path.join(work, 'key.json'), JSON.stringify(key));
  const v = spawnSync(BIN, ['verify', 'dump', path.join(work, 'dump.jsonl'), '--head', path.join(work, 'head.json'),
    '--key', path.join(work, 'key.json')], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stdout + v.stderr);

  // Each node's search index follows the ledger written by both.
  for (const base of [nodeA.base, nodeB.base]) {
    let indexed = -1;
    for (let i = 0; i < 100 && indexed < head.tree_size; i++) {
      const s = await client(base)('GET', '/api/v1/search?q=marché');
      assert.equal(s.status, 200, s.text);
      indexed = s.body.index_position;
      if (indexed < head.tree_size) await sleep(100);
    }
    assert.ok(indexed >= head.tree_size, `search index of ${base} at ${indexed} < ${head.tree_size}`);
  }
});

test('scheduled work holds one lease across nodes and moves when its holder dies', { skip }, async () => {
  // One holder for the closing job, one of the two nodes.
  let rows = psql(db.url, "SELECT holder FROM leases WHERE name = 'close-due-consultations'").trim().split('\n');
  assert.equal(rows.length, 1, rows.join());
  const pidOf = (holder) => Number(holder.split('/')[1]);
  const holderPid = pidOf(rows[0]);
  const [holder, other] = holderPid === nodeA.child.pid ? [nodeA, nodeB] : [nodeB, nodeA];
  assert.equal(holderPid, holder.child.pid);

  // A consultation whose deadline comes in 2 s, with one deposit.
  const call = client(other.base);
  const t = await call('POST', '/api/v1/tenders', { token: tokens.buyer, json: draft({ deadline: new Date(Date.now() + 2500).toISOString() }) });
  assert.equal(t.status, 201, t.text);
  assert.equal((await call('POST', `/api/v1/tenders/${t.body.id}/publish`, { token: tokens.buyer })).status, 200);
  const d = await call('POST', `/api/v1/tenders/${t.body.id}/deposits?name=o.txt&sealed=false`,
    { token: tokens.acme, type: 'application/octet-stream', body: Buffer.from('offre') });
  assert.equal(d.status, 201, d.text);

  // The holder dies during writes; the other keeps serving.
  const start = Date.now();
  const writes = writer(other.base, 'buyer', 7, () => Date.now() - start > 3000);
  await sleep(500);
  holder.child.kill('SIGKILL');
  const w = await writes;
  assert.deepEqual(w.errors, []);
  assert.ok(w.published.length >= 1);

  // Within the lease (10 s) the survivor takes the job over and closes the consultation:
  // its receipts tree goes into the ledger once.
  let sealed = [];
  for (let i = 0; i < 200 && sealed.length === 0; i++) {
    sealed = (await wholeFeed(other.base)).filter((e) => e.kind === 'tender.deposits_sealed' && e.subject === t.body.id);
    if (sealed.length === 0) await sleep(100);
  }
  assert.equal(sealed.length, 1);
  rows = psql(db.url, "SELECT holder FROM leases WHERE name = 'close-due-consultations'").trim().split('\n');
  assert.equal(pidOf(rows[0]), other.child.pid);
  await sleep(1500);
  assert.equal((await wholeFeed(other.base)).filter((e) => e.kind === 'tender.deposits_sealed' && e.subject === t.body.id).length, 1);

  // Restarted, the killed node catches up: same feed, same head, its index follows.
  const dir = holder === nodeA ? dirA : dirB;
  const restarted = await startNode(dir);
  if (holder === nodeA) nodeA = restarted; else nodeB = restarted;
  const [f1, f2] = await Promise.all([wholeFeed(restarted.base), wholeFeed(other.base)]);
  assert.deepEqual(f1, f2);
  const h1 = (await client(restarted.base)('GET', '/api/v1/ledger/head')).body;
  const h2 = (await client(other.base)('GET', '/api/v1/ledger/head')).body;
  assert.equal(h1.root_hash, h2.root_hash);
  assert.equal((await client(restarted.base)('GET', '/api/v1/me', { token: tokens.buyer })).status, 200);
});
