// The transparency ledger and the change feed, checked from outside with an
// independent implementation (merkle.mjs) and with `limpide verify`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, EXAMPLES_2, REAL_FILES, getJson, runImport, startServer, tempDir } from './harness.mjs';
import {
  canonical, hex, leafHash, rootOf, unhex, verifyConsistency, verifyInclusion, verifyTreeHead,
} from './merkle.mjs';

async function fetchText(url) {
  const r = await fetch(url);
  return { status: r.status, text: await r.text(), headers: r.headers };
}

// Every entry of the ledger through the dump; checks each line's own hashes.
async function dump(base) {
  const r = await fetchText(`${base}/api/v1/ledger/dump`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /application\/jsonl/);
  const lines = r.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return lines;
}

test('imports are written to the ledger; dump, head, signature and root agree', async () => {
  const dir = tempDir();
  const imported = runImport(dir, EXAMPLES_2);
  assert.equal(imported.status, 0, imported.stderr);
  const t = imported.json.totals;
  const server = await startServer({ dataDir: dir });
  try {
    const key = (await getJson(`${server.base}/api/v1/ledger/key`)).body;
    assert.equal(key.algorithm, 'Ed25519');
    const head = (await getJson(`${server.base}/api/v1/ledger/head`)).body;
    assert.equal(head.tree_size, t.inserted + t.updated);
    assert.ok(verifyTreeHead(head, key), 'tree head signature verifies with the published key');
    assert.equal(head.key_id, key.key_id);

    const lines = await dump(server.base);
    assert.equal(lines.length, head.tree_size);
    const leaves = [];
    lines.forEach((l, i) => {
      assert.equal(l.entry.seq, i);
      const leaf = leafHash(canonical(l.entry));
      assert.equal(hex(leaf), l.leaf_hash, `leaf ${i}`);
      leaves.push(leaf);
      assert.equal(hex(rootOf(leaves)), l.tree_root, `root after ${i}`);
    });
    assert.equal(hex(rootOf(leaves)), head.root_hash);
    const kinds = new Set(lines.map((l) => l.entry.kind));
    assert.ok(kinds.has('contract.created'), [...kinds].join());
    // The body is the contract as the API serves it, amounts as strings.
    const first = lines[0].entry;
    const api = (await getJson(`${server.base}/api/v1/contracts/${encodeURIComponent(first.subject)}`)).body;
    assert.equal(first.body.uid, api.uid);
    assert.equal(first.body.object, api.object);
    if (api.amount !== undefined) assert.equal(Number(first.body.amount), api.amount);

    // The public page shows the same signed root and links the latest entries.
    const page0 = await fetchText(`${server.base}/registre`);
    assert.equal(page0.status, 200);
    assert.ok(page0.text.includes(head.root_hash), 'root on /registre');
    assert.ok(page0.text.includes(`/contrats/${encodeURIComponent(lines.at(-1).entry.subject)}`), 'latest entry linked');
    assert.ok(page0.text.includes(`leaf_index=${head.tree_size - 1}`));

    // The entries endpoint serves the same bytes.
    const page = (await getJson(`${server.base}/api/v1/ledger/entries?start=1&end=3`)).body;
    assert.deepEqual(page.entries.map((e) => e.leaf_hash), [lines[1].leaf_hash, lines[2].leaf_hash]);

    // `limpide verify` agrees, offline.
    const work = tempDir();
    writeFileSync(path.join(work, 'dump.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    writeFileSync(path.join(work, 'head.json'), JSON.stringify(head));
    writeFileSync(path.join(work, 'key.json'), JSON.stringify(key));
    const v = spawnSync(BIN, ['verify', 'dump', path.join(work, 'dump.jsonl'), '--head',
      path.join(work, 'head.json'), '--key', path.join(work, 'key.json')], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stdout + v.stderr);

    // Inclusion proofs for every entry verify against the head.
    for (let i = 0; i < head.tree_size; i++) {
      const p = (await getJson(`${server.base}/api/v1/ledger/proof/inclusion?leaf_index=${i}`)).body;
      assert.equal(p.tree_size, head.tree_size);
      assert.equal(p.leaf_hash, lines[i].leaf_hash);
      assert.equal(hex(leafHash(canonical(p.entry))), p.leaf_hash);
      assert.ok(verifyInclusion(unhex(p.leaf_hash), i, p.tree_size, p.audit_path.map(unhex), unhex(head.root_hash)), `inclusion ${i}`);
    }
    const proofFile = path.join(work, 'inclusion.json');
    writeFileSync(proofFile, JSON.stringify((await getJson(`${server.base}/api/v1/ledger/proof/inclusion?leaf_index=2`)).body));
    const vi = spawnSync(BIN, ['verify', 'inclusion', proofFile, '--head', path.join(work, 'head.json'),
      '--key', path.join(work, 'key.json')], { encoding: 'utf8' });
    assert.equal(vi.status, 0, vi.stdout + vi.stderr);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('the tree head only grows: consistency proofs between successive heads verify', async () => {
  const dir = tempDir();
  assert.equal(runImport(dir, EXAMPLES_2.slice(0, 2)).status, 0);
  const server = await startServer({ dataDir: dir });
  try {
    const key = (await getJson(`${server.base}/api/v1/ledger/key`)).body;
    const first = (await getJson(`${server.base}/api/v1/ledger/head`)).body;
    // An import from another process while the server runs.
    assert.equal(runImport(dir, EXAMPLES_2.slice(2)).status, 0);
    const second = (await getJson(`${server.base}/api/v1/ledger/head`)).body;
    assert.ok(second.tree_size > first.tree_size, `${second.tree_size} > ${first.tree_size}`);
    assert.ok(verifyTreeHead(second, key));
    const proof = (await getJson(`${server.base}/api/v1/ledger/proof/consistency?first=${first.tree_size}&second=${second.tree_size}`)).body;
    assert.ok(verifyConsistency(first.tree_size, second.tree_size, proof.consistency_path.map(unhex),
      unhex(first.root_hash), unhex(second.root_hash)));
    const work = tempDir();
    const f = (n, v) => { const p = path.join(work, n); writeFileSync(p, JSON.stringify(v)); return p; };
    const args = ['verify', 'consistency', f('h1.json', first), f('h2.json', second), f('proof.json', proof), '--key', f('key.json', key)];
    const ok = spawnSync(BIN, args, { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    // A head whose root was changed is caught.
    const forged = { ...second, root_hash: first.root_hash.replace(/^./, (c) => (c === '0' ? '1' : '0')) };
    const bad = spawnSync(BIN, ['verify', 'consistency', f('h1.json', first), f('forged.json', forged), f('proof.json', proof), '--key', f('key.json', key)], { encoding: 'utf8' });
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout + bad.stderr, /FAIL/);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('ledger requests out of range or malformed are 400 problems naming the field', async () => {
  const dir = tempDir();
  assert.equal(runImport(dir, EXAMPLES_2.slice(0, 1)).status, 0);
  const server = await startServer({ dataDir: dir });
  try {
    const size = (await getJson(`${server.base}/api/v1/ledger/head`)).body.tree_size;
    const cases = [
      [`/api/v1/ledger/proof/inclusion?leaf_index=${size}`, 'leaf_index'],
      [`/api/v1/ledger/proof/inclusion?leaf_index=0&tree_size=${size + 1}`, 'tree_size'],
      ['/api/v1/ledger/proof/inclusion', 'leaf_index'],
      ['/api/v1/ledger/proof/inclusion?leaf_index=-1', 'leaf_index'],
      ['/api/v1/ledger/proof/inclusion?leaf_index=abc', 'leaf_index'],
      [`/api/v1/ledger/proof/consistency?first=0&second=${size}`, 'first'],
      [`/api/v1/ledger/proof/consistency?first=2&second=1`, 'first'],
      [`/api/v1/ledger/proof/consistency?first=1&second=${size + 5}`, 'second'],
      ['/api/v1/ledger/proof/consistency?first=1', 'second'],
      [`/api/v1/ledger/entries?start=0&end=${size + 1}`, 'end'],
      ['/api/v1/ledger/entries?start=5&end=2', 'start'],
      ['/api/v1/ledger/entries?start=0&end=5000', 'end'],
      ['/api/v1/ledger/head?x=1', 'x'],
      ['/api/v1/ledger/dump?tree_size=99999999', 'tree_size'],
      ['/api/v1/feed?after=zz', 'after'],
      ['/api/v1/feed?after=00000000000000010000000000000000', 'after'],
      ['/api/v1/feed?limit=0', 'limit'],
      ['/api/v1/feed?wait=61', 'wait'],
      ['/api/v1/feed?since=1', 'since'],
    ];
    for (const [url, field] of cases) {
      const r = await getJson(`${server.base}${url}`);
      assert.equal(r.status, 400, `${url}: ${JSON.stringify(r.body)}`);
      assert.match(r.headers.get('content-type'), /application\/problem\+json/);
      assert.equal(r.body.field, field, url);
      assert.ok(r.body.detail.length > 10, url);
    }
    // A cursor from a valid page, with its position changed, is refused.
    const page = (await getJson(`${server.base}/api/v1/feed?limit=2`)).body;
    const tampered = page.next.slice(0, 15) + '3' + page.next.slice(16);
    const r = await getJson(`${server.base}/api/v1/feed?after=${tampered}`);
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'after');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

// Follows the feed to its head; returns the entries and the final cursor.
// With `wait`, the last (empty) page is a long poll: the loop then never
// hammers the server.
async function follow(base, after = '', limit = 7, wait = 0) {
  const items = [];
  for (;;) {
    const r = await getJson(`${base}/api/v1/feed?limit=${limit}&wait=${wait}${after ? `&after=${after}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const page = r.body;
    items.push(...page.data);
    after = page.next;
    if (page.data.length === 0) return { items, after, position: page.position };
  }
}

test('a client following the feed during concurrent imports gets every change exactly once', async () => {
  const dir = tempDir();
  const server = await startServer({ dataDir: dir });
  try {
    // Imports in other processes, one after the other, while the client reads.
    const files = [...EXAMPLES_2, ...REAL_FILES];
    const writer = (async () => {
      for (const f of files) {
        await new Promise((resolve, reject) => {
          const p = spawn(BIN, ['import', '--data-dir', dir, f], { stdio: 'ignore' });
          p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`import ${f}: ${code}`))));
        });
      }
    })();
    const seen = [];
    let after = '';
    let done = false;
    // Stop following when the writer ends, whether it succeeded or not (then `await writer` throws).
    writer.then(() => { done = true; }, () => { done = true; });
    while (!done) {
      const r = await follow(server.base, after, 97, 1);
      seen.push(...r.items);
      after = r.after;
    }
    await writer;
    const rest = await follow(server.base, after, 1000);
    seen.push(...rest.items);
    const head = (await getJson(`${server.base}/api/v1/feed/head`)).body;
    assert.equal(seen.length, head.position);
    seen.forEach((e, i) => assert.equal(e.seq, i, 'in order, no gap, no duplicate'));
    assert.equal(rest.after, head.cursor);
    const lines = await dump(server.base);
    assert.deepEqual(seen.map((e) => hex(leafHash(canonical(e)))), lines.map((l) => l.leaf_hash));
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('a long poll returns as soon as a change lands, and empty at its deadline', async () => {
  const dir = tempDir();
  assert.equal(runImport(dir, EXAMPLES_2.slice(0, 1)).status, 0);
  const server = await startServer({ dataDir: dir });
  try {
    const head = (await getJson(`${server.base}/api/v1/feed/head`)).body;
    let t0 = Date.now();
    const empty = (await getJson(`${server.base}/api/v1/feed?after=${head.cursor}&wait=1`)).body;
    const waited = Date.now() - t0;
    assert.equal(empty.data.length, 0);
    assert.equal(empty.synced, true);
    assert.ok(waited >= 900 && waited < 5000, `waited ${waited} ms`);

    t0 = Date.now();
    const pending = getJson(`${server.base}/api/v1/feed?after=${head.cursor}&wait=30`);
    // Meanwhile the server still answers other requests.
    assert.equal((await getJson(`${server.base}/healthz`)).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(runImport(dir, EXAMPLES_2.slice(1, 2)).status, 0);
    const page = (await pending).body;
    const elapsed = Date.now() - t0;
    assert.ok(page.data.length > 0, JSON.stringify(page));
    assert.equal(page.data[0].seq, head.position);
    assert.ok(elapsed < 10_000, `answered after ${elapsed} ms`);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('kill -9 during an import: the ledger verifies, acknowledged files are all there, the head only grows', async () => {
  const dir = tempDir();
  const first = runImport(dir, EXAMPLES_2);
  assert.equal(first.status, 0);
  const acknowledged = first.json.totals.inserted + first.json.totals.updated;
  const server = await startServer({ dataDir: dir });
  try {
    const before = (await getJson(`${server.base}/api/v1/ledger/head`)).body;
    assert.equal(before.tree_size, acknowledged);
    for (const delay of [150, 400, 800]) {
      const p = spawn(BIN, ['import', '--data-dir', dir, ...REAL_FILES], { stdio: 'ignore' });
      // Listen before killing: a fast import may be over before the kill.
      const exited = new Promise((r) => p.on('exit', r));
      await new Promise((r) => setTimeout(r, delay));
      p.kill('SIGKILL');
      await exited;
      const head = (await getJson(`${server.base}/api/v1/ledger/head`)).body;
      assert.ok(head.tree_size >= before.tree_size);
      const lines = await dump(server.base);
      assert.equal(lines.length, head.tree_size);
      const leaves = lines.map((l) => leafHash(canonical(l.entry)));
      assert.equal(hex(rootOf(leaves)), head.root_hash);
      const proof = (await getJson(`${server.base}/api/v1/ledger/proof/consistency?first=${before.tree_size}&second=${head.tree_size}`)).body;
      if (head.tree_size > before.tree_size) {
        assert.ok(verifyConsistency(before.tree_size, head.tree_size, proof.consistency_path.map(unhex),
          unhex(before.root_hash), unhex(head.root_hash)));
      }
    }
  } finally {
    await server.stop();
  }
  // The server killed -9 during its first-start demo import: restarting it
  // gives a store whose ledger verifies.
  const fresh = tempDir();
  const seeds = REAL_FILES.flatMap((f) => ['--seed', f]);
  const child = spawn(BIN, ['serve', '--data-dir', fresh, '--listen', '127.0.0.1:0', '--no-access-log', ...seeds], { stdio: 'ignore' });
  const childExited = new Promise((r) => child.on('exit', r));
  await new Promise((r) => setTimeout(r, 700));
  child.kill('SIGKILL');
  await childExited;
  const again = await startServer({ dataDir: fresh });
  try {
    const head = (await getJson(`${again.base}/api/v1/ledger/head`)).body;
    const lines = await dump(again.base);
    assert.equal(hex(rootOf(lines.map((l) => leafHash(canonical(l.entry))))), head.root_hash);
  } finally {
    await again.stop();
    again.cleanup();
  }
});
