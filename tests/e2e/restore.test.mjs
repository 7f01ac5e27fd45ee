// Backups and restore as docs/deployment.md describes them: a platform on
// PostgreSQL is dumped with pg_dump (custom format) and restored with
// pg_restore into a new database; a node on the restored database serves the
// same contracts and consultations under the same ledger root, and writes go
// on from there. Same for SQLite with the sqlite3 shell's .backup, when present.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { EXAMPLES_2, startServer, tempDir } from './harness.mjs';
import { client, draft, login } from './procedure.mjs';
import { addAccountTo, newDatabase, run, shareLedgerKey, skipWithoutPostgres as skip } from './pgutil.mjs';

// What two signed heads of the same tree by the same key share.
const treeOf = (h) => ({ tree_size: h.tree_size, root_hash: h.root_hash, key_id: h.key_id });

let db;
let restored;
let dataDir;
let seen;

async function answers(base, token) {
  const call = client(base);
  return {
    head: (await call('GET', '/api/v1/ledger/head')).body,
    contracts: (await call('GET', '/api/v1/contracts?limit=100')).text,
    tenders: (await call('GET', '/api/v1/tenders')).text,
    me: (await call('GET', '/api/v1/me', { token })).text,
  };
}

before(async () => {
  if (skip) return;
  db = newDatabase('limpide_backup');
  dataDir = tempDir();
  const imported = run(['import', '--data-dir', dataDir, '--database', db.url, '--json', ...EXAMPLES_2]);
  assert.equal(imported.status, 0, imported.stderr);
  addAccountTo(db.url, dataDir, { email: 'agent@rennes.fr', name: 'Agent', org: '21350238800019', orgName: 'Rennes', role: 'buyer_agent' });
  const server = await startServer({ dataDir, args: ['--rate-limit', '0', '--database', db.url] });
  try {
    const call = client(server.base);
    const token = await login(call, 'agent@rennes.fr');
    const t = await call('POST', '/api/v1/tenders', { token, json: draft({ deadline: new Date(Date.now() + 3_600_000).toISOString() }) });
    assert.equal((await call('POST', `/api/v1/tenders/${t.body.id}/publish`, { token })).status, 200);
    seen = { token, ...(await answers(server.base, token)) };
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

after(() => {
  if (skip) return;
  db.drop();
  if (restored) restored.drop();
});

test('pg_dump then pg_restore into a new database: same data, same ledger root', { skip }, async () => {
  const dump = path.join(tempDir(), 'limpide.dump');
  const d = spawnSync('pg_dump', ['--format=custom', '--file', dump, db.url], { encoding: 'utf8' });
  assert.equal(d.status, 0, d.stderr);
  restored = newDatabase('limpide_restored');
  const r = spawnSync('pg_restore', ['--no-owner', '--exit-on-error', '--dbname', restored.url, dump], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const nodeDir = tempDir();
  shareLedgerKey(dataDir, nodeDir);
  const server = await startServer({ dataDir: nodeDir, args: ['--rate-limit', '0', '--database', restored.url] });
  try {
    const now = await answers(server.base, seen.token);
    assert.deepEqual(treeOf(now.head), treeOf(seen.head));
    assert.equal(now.contracts, seen.contracts);
    assert.equal(now.tenders, seen.tenders);
    assert.equal(now.me, seen.me);
    // The restored platform takes writes, continuing the same ledger.
    const call = client(server.base);
    const t = await call('POST', '/api/v1/tenders', { token: seen.token, json: draft({ deadline: new Date(Date.now() + 3_600_000).toISOString() }) });
    assert.equal((await call('POST', `/api/v1/tenders/${t.body.id}/publish`, { token: seen.token })).status, 200);
    const head = (await call('GET', '/api/v1/ledger/head')).body;
    assert.ok(head.tree_size > seen.head.tree_size);
    const proof = (await call('GET', `/api/v1/ledger/proof/consistency?first=${seen.head.tree_size}&second=${head.tree_size}`));
    assert.equal(proof.status, 200, proof.text);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

const noSqlite3 = spawnSync('sqlite3', ['-version']).status === 0 ? false : 'the sqlite3 shell is not installed';
test('SQLite: .backup of a live store restores to the same ledger root', { skip: noSqlite3 }, async () => {
  const dir = tempDir();
  const imported = run(['import', '--data-dir', dir, '--json', ...EXAMPLES_2]);
  assert.equal(imported.status, 0, imported.stderr);
  const server = await startServer({ dataDir: dir, args: ['--rate-limit', '0'] });
  let head;
  const copyDir = tempDir();
  try {
    head = (await client(server.base)('GET', '/api/v1/ledger/head')).body;
    // While the server runs: .backup takes a consistent snapshot.
    const b = spawnSync('sqlite3', [path.join(dir, 'limpide.db'), `.backup '${path.join(copyDir, 'limpide.db')}'`], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  shareLedgerKey(dir, copyDir);
  const again = await startServer({ dataDir: copyDir, args: ['--rate-limit', '0'] });
  try {
    assert.deepEqual(treeOf((await client(again.base)('GET', '/api/v1/ledger/head')).body), treeOf(head));
  } finally {
    assert.equal(await again.stop(), 0);
  }
});
