// `limpide export` and GET /api/v1/export/decp.{json,xml} through the real
// binary: the whole bundled data set (data/demo: the real 2019 files and the
// official 2.x examples) exported and checked by the official validators,
// round trips of the 2.x examples, bad input, and memory while streaming.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BIN, EXAMPLES_2, SHARED, SOURCE_DIR, getJson, runImport, startServer, tempDir, demoFiles } from './harness.mjs';
import { validateDecpJson, validateDecpXml } from './decp-validate.mjs';

function runExport(dataDir, args) {
  return spawnSync(BIN, ['export', '--data-dir', dataDir, ...args], {
    encoding: 'utf8', timeout: 300_000, maxBuffer: 256 << 20,
  });
}


// A JSON value with object keys sorted: records compare key order aside.
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  }
  return v;
}

function recordsByKey(doc) {
  const out = new Map();
  for (const list of ['marche', 'contrat-concession']) {
    for (const r of doc.marches[list] ?? []) {
      const buyer = (r.acheteur ?? r.autoriteConcedante).id;
      out.set(`${list}/${buyer}/${r.id}`, JSON.stringify(canonical(r)));
    }
  }
  return out;
}

let dataDir;
let work;
const exported = {};
before(() => {
  work = tempDir('limpide-export-');
  dataDir = path.join(work, 'data');
  const files = demoFiles(work);
  assert.ok(files.length >= 9, `demo files: ${files}`);
  const r = runImport(dataDir, files);
  assert.equal(r.status, 0, r.stderr);
  for (const [format, ext] of [['decp-json', 'json'], ['decp-xml', 'xml'], ['csv', 'csv']]) {
    const file = path.join(work, `export.${ext}`);
    const run = runExport(dataDir, ['--format', format, '--output', file]);
    assert.equal(run.status, 0, run.stderr.slice(-2000));
    exported[format] = { file, stderr: run.stderr };
  }
});
after(() => rmSync(work, { recursive: true, force: true }));

test('the whole demo data set exports as DECP 2.x JSON that ajv finds valid', () => {
  const { file, stderr } = exported['decp-json'];
  assert.deepEqual(validateDecpJson(SHARED, file), []);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const written = (doc.marches.marche ?? []).length + (doc.marches['contrat-concession'] ?? []).length;
  const m = stderr.match(/exported ([\d,]+) of ([\d,]+) contracts as decp-json .*?([\d,]+) skipped/);
  assert.ok(m, stderr.slice(-2000));
  const n = (s) => Number(s.replaceAll(',', ''));
  assert.equal(written, n(m[1]));
  assert.ok(written >= 7, 'the 2.x examples are in it');
  // Every skipped record is named on stderr with its reasons.
  const skippedLines = stderr.split('\n').filter((l) => l.startsWith('limpide export: skipped '));
  assert.equal(skippedLines.length, n(m[3]));
  assert.ok(skippedLines.every((l) => /: [a-zA-Z.[\]0-9]+: /.test(l)), skippedLines[0]);
  assert.match(stderr, /skipped records, by reason/);
});

test('the whole demo data set exports as DECP 2.x XML that xmllint finds valid', () => {
  const { file } = exported['decp-xml'];
  assert.deepEqual(validateDecpXml(SHARED, file), []);
  const json = JSON.parse(readFileSync(exported['decp-json'].file, 'utf8'));
  const xml = readFileSync(file, 'utf8');
  const count = (xml.match(/<marche>/g) ?? []).length + (xml.match(/<contrat-concession>/g) ?? []).length;
  assert.equal(count, json.marches.marche.length + (json.marches['contrat-concession'] ?? []).length);
});

test('each output file has a sha256sum checksum beside it', () => {
  for (const { file } of Object.values(exported)) {
    const line = readFileSync(`${file}.sha256`, 'utf8');
    const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
    assert.equal(line, `${digest}  ${path.basename(file)}\n`);
    const check = spawnSync('sha256sum', ['-c', path.basename(`${file}.sha256`)], { cwd: path.dirname(file), encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
  }
});

test('CSV has every contract, as the API CSV', async () => {
  const server = await startServer({ dataDir, args: ['--rate-limit', '0'] });
  try {
    const r = await fetch(`${server.base}/api/v1/contracts.csv`);
    assert.equal(await r.text(), readFileSync(exported.csv.file, 'utf8'));
    assert.match(exported.csv.stderr, / 0 skipped/);
  } finally {
    await server.stop();
  }
});

test('the API streams the same DECP documents as attachments with a dated name', async () => {
  const server = await startServer({ dataDir, args: ['--rate-limit', '0'] });
  try {
    for (const [route, format, type] of [['decp.json', 'decp-json', 'application/json'], ['decp.xml', 'decp-xml', 'application/xml']]) {
      const r = await fetch(`${server.base}/api/v1/export/${route}`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type'), new RegExp(`^${type}`));
      assert.equal(r.headers.get('transfer-encoding'), 'chunked');
      assert.match(r.headers.get('content-disposition'), /^attachment; filename="decp-\d{4}-\d{2}-\d{2}\.(json|xml)"$/);
      assert.equal(await r.text(), readFileSync(exported[format].file, 'utf8'), route);
    }
    // Filters are the listing's.
    const r = await fetch(`${server.base}/api/v1/export/decp.json?buyer=21750001630040`);
    const doc = await r.json();
    assert.ok(doc.marches.marche.length > 0);
    for (const m of doc.marches.marche) assert.equal(m.acheteur.id, '21750001630040');
  } finally {
    await server.stop();
  }
});

test('golden DECP files validate against the official schemas', () => {
  const golden = path.join(SOURCE_DIR, 'tests/formats/golden');
  assert.deepEqual(validateDecpJson(SHARED, path.join(golden, 'decp-marche.json')), []);
  assert.deepEqual(validateDecpXml(SHARED, path.join(golden, 'decp-marche.xml')), []);
});

test('each official 2.x JSON example goes through import and export unchanged', () => {
  for (const example of EXAMPLES_2.filter((f) => f.endsWith('.json'))) {
    const dir = tempDir('limpide-roundtrip-');
    try {
      const imp = runImport(dir, [example]);
      assert.equal(imp.status, 0, imp.stderr);
      const run = runExport(dir, ['--format', 'decp-json']);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stderr, / 0 with fields left out, 0 skipped/);
      const expected = recordsByKey(JSON.parse(readFileSync(example, 'utf8')));
      const actual = recordsByKey(JSON.parse(run.stdout));
      assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), example);
      for (const [key, rec] of expected) assert.equal(actual.get(key), rec, `${example} ${key}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('each official 2.x XML example goes through import and XML export unchanged', () => {
  // XML → import → export XML → import again: the same records as the first
  // import (compared as their DECP JSON export, key order aside).
  for (const example of EXAMPLES_2.filter((f) => f.endsWith('.xml'))) {
    const first = tempDir('limpide-roundtrip-');
    const second = tempDir('limpide-roundtrip-');
    try {
      assert.equal(runImport(first, [example]).status, 0);
      const xml = path.join(second, 'export.xml');
      const out = runExport(first, ['--format', 'decp-xml', '--output', xml]);
      assert.equal(out.status, 0, out.stderr);
      assert.match(out.stderr, / 0 with fields left out, 0 skipped/);
      const imp = runImport(second, [xml]);
      assert.equal(imp.status, 0, imp.stderr);
      assert.equal(imp.json.totals.rejected, 0, example);
      const a = recordsByKey(JSON.parse(runExport(first, ['--format', 'decp-json']).stdout));
      const b = recordsByKey(JSON.parse(runExport(second, ['--format', 'decp-json']).stdout));
      assert.ok(a.size > 0, example);
      assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), example);
      for (const [key, rec] of a) assert.equal(b.get(key), rec, `${example} ${key}`);
    } finally {
      rmSync(first, { recursive: true, force: true });
      rmSync(second, { recursive: true, force: true });
    }
  }
});

test('bad arguments exit 2 with a message naming the option', () => {
  const cases = [
    [['--format', 'decp'], /--format: unknown format 'decp' \(expected decp-json, decp-xml, csv or ocds-jsonl\)/],
    [[], /--format is required/],
    [['--format', 'csv', '--notified-from', '2019-02-30'], /--notified-from: /],
    [['--format', 'csv', '--notified-from', '2019-03-01', '--notified-to', '2019-01-01'], /--notified-to: is before notified_from/],
    [['--format', 'csv', '--buyer', '123'], /--buyer: /],
    [['--format', 'csv', '--amount-min', 'beaucoup'], /--amount-min: /],
    [['--format', 'csv', '--procedure', 'gre_a_gre'], /--procedure: unknown procedure code/],
    [['--format', 'csv', '--cpv', '4'], /--cpv: /],
  ];
  for (const [args, message] of cases) {
    const r = runExport(dataDir, args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '', 'nothing written');
  }
  const missing = runExport(path.join(work, 'no-such-dir'), ['--format', 'csv']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no store in /);
});

test('bad filter values are 400 problem+json on the API', async () => {
  const server = await startServer({ dataDir, args: ['--rate-limit', '0'] });
  try {
    for (const [query, field] of [['notified_from=2019-13-01', 'notified_from'], ['amount_min=abc', 'amount_min'],
      ['nature=truc', 'nature'], ['limit=10', 'limit'], ['after=x', 'after'], ['format=csv', 'format']]) {
      for (const route of ['decp.json', 'decp.xml']) {
        const r = await getJson(`${server.base}/api/v1/export/${route}?${query}`);
        assert.equal(r.status, 400, `${route}?${query}`);
        assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
        assert.equal(r.body.field, field, JSON.stringify(r.body));
        assert.equal(r.body.status, 400);
      }
    }
  } finally {
    await server.stop();
  }
});

// Resident memory while streaming: a DECP 2.x data set 10 times the size of a
// subset (10 buyers, one tenth each) is exported after the subset; the heap
// (RssAnon) must not grow by more than a few MB. VmRSS also counts the pages
// of the SQLite file mapped by the store (mmap_size), which follow the file
// size and are shared, reclaimable page cache: printed, not asserted.
// Sanitizer builds keep freed memory in quarantine: the heap grows by design.
function sanitized() {
  if (process.env.ASAN_OPTIONS) return true;
  const r = spawnSync('readelf', ['-d', BIN], { encoding: 'utf8' });
  return r.status === 0 && /lib(asan|tsan|ubsan)/.test(r.stdout);
}

test('the HTTP export of 10 times the data keeps the heap flat', {
  skip: sanitized() && 'sanitizer build: freed memory is held in quarantine',
}, async () => {
  const dir = tempDir('limpide-export-big-');
  const big = path.join(dir, 'big.json');
  const gen = spawnSync(process.execPath, [path.join(SOURCE_DIR, 'bench/make-big-decp2.mjs'), SHARED, big, '20000', '10'], { encoding: 'utf8' });
  assert.equal(gen.status, 0, gen.stderr);
  const bigData = path.join(dir, 'data');
  const imp = runImport(bigData, [big]);
  assert.equal(imp.status, 0, imp.stderr);
  assert.equal(imp.json.totals.inserted, 20000);
  const server = await startServer({ dataDir: bigData, args: ['--rate-limit', '0'] });
  const status = () => {
    const text = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
    const kb = (name) => Number(text.match(new RegExp(`${name}:\\s+(\\d+) kB`))[1]);
    return { anon: kb('RssAnon'), rss: kb('VmRSS'), file: kb('RssFile') };
  };
  // Drains the body, sampling the server's memory every few milliseconds.
  const exportAll = async (query) => {
    let peak = status();
    const timer = setInterval(() => {
      const s = status();
      peak = { anon: Math.max(peak.anon, s.anon), rss: Math.max(peak.rss, s.rss) };
    }, 5);
    try {
      const r = await fetch(`${server.base}/api/v1/export/decp.json${query}`);
      assert.equal(r.status, 200);
      let bytes = 0;
      for await (const chunk of r.body) bytes += chunk.length;
      return { bytes, peak };
    } finally {
      clearInterval(timer);
    }
  };
  try {
    const subset = '?buyer=21000000001003';
    let small;
    for (let i = 0; i < 3; i += 1) small = await exportAll(subset);  // warm up every I/O thread
    // Fills the page caches of the readers it uses: fixed sizes (2 MiB each,
    // docs/storage.md), not growing with the data.
    const cold = status();
    await exportAll('');
    const base = status();
    const whole = await exportAll('');
    const again = await exportAll('');
    const growthKb = Math.max(whole.peak.anon, again.peak.anon) - base.anon;
    console.log(`subset ${small.bytes} bytes, whole ${whole.bytes} bytes; RssAnon ${base.anon} kB -> peak ` +
      `${Math.max(whole.peak.anon, again.peak.anon)} kB; VmRSS ${base.rss} kB -> ${Math.max(whole.peak.rss, again.peak.rss)} kB`);
    assert.ok(whole.bytes > 9 * small.bytes, `whole ${whole.bytes} vs subset ${small.bytes}`);
    assert.ok(growthKb < 6 * 1024, `heap grew by ${growthKb} kB while exporting 10 times the data`);
    // Readers do not map the store: reading all of it leaves the server's
    // mapped-file memory where it was (docs/storage.md, "Concurrency").
    const fileKb = status().file - cold.file;
    assert.ok(fileKb < 8 * 1024, `mapped files grew by ${fileKb} kB while reading the whole store`);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
