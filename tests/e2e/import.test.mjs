// `limpide import` on the real 2019 DECP files and the official 2.x examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { EXAMPLES_2, REAL_FILES, runImport, tempDir } from './harness.mjs';

test('importing the real files reports every record as inserted, updated, unchanged or rejected', () => {
  const dir = tempDir();
  const rejects = path.join(dir, 'rejects.jsonl');
  const r = runImport(dir, REAL_FILES, ['--rejects', rejects]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.json, `summary is JSON: ${r.stdout}`);
  const t = r.json.totals;
  assert.equal(t.read, 4509 + 4530);
  assert.equal(t.inserted + t.updated + t.unchanged + t.duplicates + t.rejected, t.read);
  assert.ok(t.inserted > 8000, `inserted ${t.inserted}`);
  // Every rejected record is in the rejects file with its position, id and reasons.
  const lines = readFileSync(rejects, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(lines.length, t.rejected + t.duplicates);
  assert.equal(lines.filter((l) => l.duplicateOf).length, t.duplicates);
  for (const l of lines) {
    assert.ok(l.file && l.position > 0 && Array.isArray(l.reasons) && l.reasons.length > 0, JSON.stringify(l));
    for (const reason of l.reasons) assert.ok(reason.field !== undefined && reason.reason, JSON.stringify(l));
  }
});

test('importing the same files again changes nothing and says so', () => {
  const dir = tempDir();
  const first = runImport(dir, REAL_FILES);
  assert.equal(first.status, 0, first.stderr);
  const second = runImport(dir, REAL_FILES);
  assert.equal(second.status, 0, second.stderr);
  const t = second.json.totals;
  assert.equal(t.inserted, 0);
  assert.equal(t.updated, 0);
  assert.equal(t.unchanged, first.json.totals.inserted + first.json.totals.updated + first.json.totals.unchanged);
  const text = runImport(dir, REAL_FILES.slice(0, 1), []);
  assert.equal(text.status, 0);
});

test('the text summary says nothing changed on a repeated import', async () => {
  const dir = tempDir();
  runImport(dir, REAL_FILES);
  const { spawnSync } = await import('node:child_process');
  const { BIN } = await import('./harness.mjs');
  const r = spawnSync(BIN, ['import', '--data-dir', dir, ...REAL_FILES], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /nothing changed/);
});

test('the official DECP 2.x JSON and XML examples import', () => {
  const dir = tempDir();
  const r = runImport(dir, EXAMPLES_2);
  assert.equal(r.status, 0, r.stderr);
  for (const f of r.json.files) assert.equal(f.error, undefined, `${f.path}: ${f.error}`);
  assert.ok(r.json.totals.read >= 7, JSON.stringify(r.json.totals));
  assert.ok(r.json.files.some((f) => f.format === 'decp-2-xml'));
  assert.ok(r.json.files.some((f) => f.format === 'decp-2-json'));
});

test('a malformed file is refused with line and column, and nothing of it is kept', () => {
  const dir = tempDir();
  const good = REAL_FILES[0];
  // Cut the real file in the middle of a record: well-formed up to there.
  const text = readFileSync(good, 'utf8');
  const broken = path.join(dir, 'broken.json');
  writeFileSync(broken, text.slice(0, Math.floor(text.length / 2)) + '\n  ]]]');
  const rejects = path.join(dir, 'rejects.jsonl');
  const r = runImport(dir, [broken], ['--rejects', rejects]);
  assert.equal(r.status, 3, 'exit code 3 when a file fails');
  const f = r.json.files[0];
  assert.match(f.error, /broken\.json:\d+:\d+: /);
  assert.equal(f.inserted, 0);
  // The store holds nothing from it: importing the good file inserts everything.
  const again = runImport(dir, [good]);
  assert.equal(again.json.totals.unchanged, 0);
  assert.ok(existsSync(rejects));
  const lines = readFileSync(rejects, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.error && l.file === broken), 'the failed file is named in the rejects file');
});

test('a first import builds the store aside and keeps each good file even when a later one fails', () => {
  const dir = tempDir();
  const good = REAL_FILES[0];
  const broken = path.join(dir, 'broken.json');
  writeFileSync(broken, '{"marches": [ {"id": "x", ');
  const r = runImport(dir, [good, broken]);
  assert.equal(r.status, 3, r.stderr);
  assert.ok(r.json.files[0].inserted > 4000, JSON.stringify(r.json.files[0]));
  assert.match(r.json.files[1].error, /broken\.json:\d+:\d+: /);
  // One store in place (docs/storage.md, "First load"), nothing left aside.
  assert.ok(existsSync(path.join(dir, 'limpide.db')));
  for (const leftover of ['limpide.db.loading', 'limpide.db.loading-journal']) {
    assert.ok(!existsSync(path.join(dir, leftover)), leftover);
  }
  const again = runImport(dir, [good]);
  assert.equal(again.json.totals.inserted, 0);
  assert.equal(again.json.totals.unchanged, r.json.files[0].inserted);
});

test('a missing file is refused before anything happens', () => {
  const dir = tempDir();
  const r = runImport(dir, [path.join(dir, 'nope.json')]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /nope\.json/);
});

// The server keeps its read transactions open between requests while nothing
// is committed (docs/storage.md, "Reads"): a change committed by another
// process must show in the very next response, and in every one after.
test('a contract changed by an import from another process is served changed at once', async () => {
  const { startServer, getJson } = await import('./harness.mjs');
  const work = tempDir();
  const records = JSON.parse(readFileSync(REAL_FILES[1], 'utf8')).marches.slice(0, 30);
  const file = path.join(work, 'few.json');
  writeFileSync(file, JSON.stringify({ marches: records }));
  const dataDir = path.join(work, 'data');
  assert.equal(runImport(dataDir, [file]).status, 0);
  const server = await startServer({ dataDir, args: ['--rate-limit', '0'] });
  try {
    const list = await getJson(`${server.base}/api/v1/contracts?limit=5`);
    assert.equal(list.status, 200);
    const item = list.body.data[0];
    const url = `${server.base}/api/v1/contracts/${encodeURIComponent(item.uid)}`;
    for (let round = 1; round <= 3; round++) {
      // Several reads first, so that the server's readers hold open snapshots.
      for (let i = 0; i < 20; i++) assert.notEqual((await getJson(url)).body.object, `Objet modifié ${round}`);
      const record = records.find((r) => r.id === item.id);
      record.objet = `Objet modifié ${round}`;
      writeFileSync(file, JSON.stringify({ marches: records }));
      const r = runImport(dataDir, [file]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.json.totals.updated, 1);
      for (let i = 0; i < 20; i++) {
        const got = await getJson(url);
        assert.equal(got.status, 200);
        assert.equal(got.body.object, `Objet modifié ${round}`, `read ${i} after import ${round}`);
      }
    }
  } finally {
    await server.stop();
    server.cleanup();
  }
});

// Rendered contracts are kept between requests while the contracts' version
// stays (docs/api.md, "Caching"). A source added by another process, which
// changes no contract row, must show at once; repeated reads are served from
// the cache, as /metrics counts.
test('a source added by an import from another process is listed at once, cache or not', async () => {
  const { startServer, getJson } = await import('./harness.mjs');
  const dir = tempDir();
  const withMods = EXAMPLES_2[0];
  const doc = JSON.parse(readFileSync(withMods, 'utf8'));
  const list = [].concat(doc.marches.marche);
  const initial = path.join(dir, 'initial.json');
  for (const m of list) delete m.modifications;
  writeFileSync(initial, JSON.stringify({ marches: { marche: list } }));
  assert.equal(runImport(dir, [withMods]).status, 0);
  const server = await startServer({ dataDir: dir, args: ['--rate-limit', '0'] });
  const cacheMetric = async (name) => {
    const r = await fetch(`${server.base}/metrics`);
    const m = (await r.text()).match(new RegExp(`^limpide_contract_cache_${name} (\\d+)$`, 'm'));
    assert.ok(m, `metric ${name}`);
    return Number(m[1]);
  };
  try {
    const url = `${server.base}/api/v1/contracts/${list[0].acheteur.id}${list[0].id}`;
    const first = await getJson(url);
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.sources.map((s) => s.source), ['marches_avec_modifications.json']);
    const hits = await cacheMetric('hits_total');
    for (let i = 0; i < 5; i++) assert.deepEqual((await getJson(url)).body, first.body);
    assert.equal(await cacheMetric('hits_total'), hits + 5);

    const r = runImport(dir, [initial]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json.totals.updated, 0, 'no contract row changes');
    for (let i = 0; i < 3; i++) {
      const got = await getJson(url);
      assert.deepEqual(got.body.sources.map((s) => s.source).sort(),
        ['initial.json', 'marches_avec_modifications.json'], `read ${i} after the import`);
    }
    assert.ok(await cacheMetric('clears_total') >= 1);

    // Without the cache, the same answers.
    await server.stop();
    const plain = await startServer({ dataDir: dir, args: ['--rate-limit', '0', '--contract-cache-mib', '0'] });
    try {
      const got = await getJson(`${plain.base}/api/v1/contracts/${list[0].acheteur.id}${list[0].id}`);
      assert.deepEqual(got.body.sources.map((s) => s.source).sort(),
        ['initial.json', 'marches_avec_modifications.json']);
      const metrics = await (await fetch(`${plain.base}/metrics`)).text();
      assert.match(metrics, /^limpide_contract_cache_hits_total 0$/m);
      assert.match(metrics, /^limpide_contract_cache_budget_bytes 0$/m);
    } finally {
      await plain.stop();
    }
  } finally {
    await server.stop();
  }
});
