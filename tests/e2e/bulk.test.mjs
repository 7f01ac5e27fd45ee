// Bulk open data (docs/bulk.md): `limpide bulk` cuts a full dump and daily
// deltas of the whole bundled real data set; every file validates against the
// official schemas (DECP 2.x with ajv, each OCDS JSON Line against the release
// schema with ajv-draft-04), checksums verify with sha256sum, the ledger head
// named matches the ledger, a delta holds exactly the contracts changed that
// day, and the files download over HTTP in one request with Range resume.
// The import runs with its clock two days back (tests/e2e/faketime_shim.cpp),
// and the cut one day ahead, so that three days are over.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { BIN, SHARED, SOURCE_DIR, getJson, startServer, tempDir, demoFiles } from './harness.mjs';
import { validateDecpJson } from './decp-validate.mjs';

const DAY = 86_400;
const FAKETIME = process.env.LIMPIDE_FAKETIME_LIB;

// Runs the binary with its wall clock shifted by `offset` seconds.
function run(args, offset = 0) {
  const env = { ...process.env };
  if (offset !== 0) {
    env.LD_PRELOAD = FAKETIME;
    env.LIMPIDE_FAKETIME_OFFSET = String(offset);
    env.ASAN_OPTIONS = `${env.ASAN_OPTIONS ? `${env.ASAN_OPTIONS}:` : ''}verify_asan_link_order=0`;
  }
  return spawnSync(BIN, args, { encoding: 'utf8', env, timeout: 300_000, maxBuffer: 64 << 20 });
}

// "YYYY-MM-DD" in Europe/Paris, `days` from now.
function parisDay(days) {
  return new Date(Date.now() + days * DAY * 1000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

// Waits past midnight in Paris when it is less than `marginMs` away: the
// set-up names its days once, and must not run across a change of day (it
// takes about 20 s under ASan; a run at 23:00 UTC in winter failed so).
async function awayFromParisMidnight(marginMs = 120_000) {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hourCycle: 'h23',
    hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date());
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const left = (DAY - get('hour') * 3600 - get('minute') * 60 - get('second')) * 1000;
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 2000));
}


function releaseValidator() {
  const dir = path.join(SHARED, 'ocds/schema');
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json') || name === 'meta-schema.json') continue;
    ajv.addSchema(JSON.parse(readFileSync(path.join(dir, name), 'utf8')));
  }
  return ajv.getSchema(JSON.parse(readFileSync(path.join(dir, 'release-schema.json'), 'utf8')).id);
}

// Every "id" of a DECP 2.x JSON document's records.
function decpIds(file) {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const ids = [];
  for (const list of Object.values(doc.marches ?? {})) {
    if (Array.isArray(list)) for (const r of list) ids.push(r.id);
  }
  return ids;
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

let work;
let dataDir;
let bulkDir;
let server;
let imported;
const changedId = 'TEST2022';
const changedObject = 'objet modifié pour le test des fichiers quotidiens';
let days;

before(async () => {
  await awayFromParisMidnight();
  days = { import: parisDay(-2), quiet: parisDay(-1), change: parisDay(0) };
  work = tempDir();
  dataDir = tempDir();
  bulkDir = path.join(dataDir, 'bulk');
  // The whole data set, imported "two days ago".
  const r = run(['import', '--data-dir', dataDir, '--json', ...demoFiles(work)], -2 * DAY);
  assert.equal(r.status, 0, r.stderr);
  const totals = JSON.parse(r.stdout).totals;
  imported = totals.inserted;
  assert.ok(imported > 1000, `imported ${imported}`);
  // One contract changed today.
  const doc = JSON.parse(readFileSync(path.join(SOURCE_DIR, 'data/demo/marches_avec_modifications.json'), 'utf8'));
  const record = doc.marches.marche.find((m) => m.id === changedId);
  record.objet = changedObject;
  const changed = path.join(work, 'changed.json');
  writeFileSync(changed, JSON.stringify({ marches: { marche: [record] } }));
  const c = run(['import', '--data-dir', dataDir, '--json', changed]);
  assert.equal(c.status, 0, c.stderr);
  assert.equal(JSON.parse(c.stdout).totals.updated, 1, c.stdout);
  // Cut "tomorrow": the three days are over.
  const b = run(['bulk', '--data-dir', dataDir], DAY);
  assert.equal(b.status, 0, b.stderr);
  server = await startServer({ dataDir, args: ['--rate-limit', '0', '--bulk-every', '0'] });
});

after(async () => {
  const code = await server?.stop();
  assert.equal(code, 0);
  server?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the index lists a full dump and one delta per day since the first change, with sizes and checksums', async () => {
  const r = await getJson(`${server.base}/api/v1/bulk`);
  assert.equal(r.status, 200);
  const index = r.body;
  assert.ok(index.full, 'a full dump');
  assert.deepEqual(index.daily.map((d) => d.day), [days.change, days.quiet, days.import]);
  for (const set of [index.full, ...index.daily]) {
    assert.deepEqual(set.files.map((f) => f.name), ['decp.json', 'ocds.jsonl', 'contracts.csv']);
    for (const f of set.files) {
      const bytes = readFileSync(path.join(bulkDir, set.kind === 'full' ? `full/${set.ledger_head.tree_size}` : `daily/${set.day}`, f.name));
      assert.equal(f.size, bytes.length, f.url);
      assert.equal(f.sha256, sha256(bytes), f.url);
      assert.match(f.url, /^\/api\/v1\/bulk\/(full|daily\/\d{4}-\d\d-\d\d)\/[a-z.]+$/);
      // Its gzip copy: listed with its own size, checksum and URL; the same bytes once decompressed.
      assert.equal(f.gzip.name, `${f.name}.gz`);
      assert.equal(f.gzip.url, `${f.url}.gz`);
      assert.equal(f.gzip.sha256_url, `${f.url}.gz.sha256`);
      assert.equal(f.gzip.media_type, 'application/gzip');
      const gz = readFileSync(path.join(bulkDir, set.kind === 'full' ? `full/${set.ledger_head.tree_size}` : `daily/${set.day}`, f.gzip.name));
      assert.equal(f.gzip.size, gz.length, f.gzip.url);
      assert.equal(f.gzip.sha256, sha256(gz), f.gzip.url);
      assert.ok(gunzipSync(gz).equals(bytes), `${f.gzip.url} decompresses to ${f.url}`);
    }
  }
  // Contracts in the full dump: all of them (CSV and OCDS); DECP 2.x leaves out what it cannot hold, counted.
  const csv = index.full.files.find((f) => f.name === 'contracts.csv');
  assert.equal(csv.records, imported);
  const decp = index.full.files.find((f) => f.name === 'decp.json');
  assert.equal(decp.records + decp.skipped, imported);
});

test('the ledger head a dump names is the ledger: same size and root as the signed head', async () => {
  const head = await getJson(`${server.base}/api/v1/ledger/head`);
  assert.equal(head.status, 200);
  const index = (await getJson(`${server.base}/api/v1/bulk`)).body;
  assert.equal(index.full.ledger_head.tree_size, head.body.tree_size);
  assert.equal(index.full.ledger_head.root_hash, head.body.root_hash);
  // The days partition the ledger in order.
  const [change, quiet, imp] = index.daily;
  assert.equal(imp.ledger_range.from, 0);
  assert.equal(quiet.ledger_range.from, imp.ledger_range.to);
  assert.equal(quiet.ledger_range.to, quiet.ledger_range.from, 'nothing happened the day between');
  assert.equal(change.ledger_range.to, head.body.tree_size);
});

test('every file of every set validates: DECP 2.x against schema_decp_v2.0.3.json, each OCDS line against the release schema', () => {
  const validateRelease = releaseValidator();
  const dirs = readdirSync(path.join(bulkDir, 'daily')).map((d) => `daily/${d}`)
    .concat(readdirSync(path.join(bulkDir, 'full')).map((d) => `full/${d}`));
  assert.equal(dirs.length, 4);
  let lines = 0;
  for (const dir of dirs) {
    const full = path.join(bulkDir, dir);
    const errors = validateDecpJson(SHARED, path.join(full, 'decp.json'));
    assert.deepEqual(errors.slice(0, 5), [], `${dir}/decp.json`);
    const text = readFileSync(path.join(full, 'ocds.jsonl'), 'utf8');
    assert.ok(text === '' || text.endsWith('\n'), 'every line ends with a newline');
    for (const [i, line] of text.split('\n').slice(0, -1).entries()) {
      const release = JSON.parse(line);
      assert.ok(validateRelease(release), `${dir}/ocds.jsonl line ${i + 1}: ${JSON.stringify(validateRelease.errors?.slice(0, 3))}`);
      lines++;
    }
    const csv = readFileSync(path.join(full, 'contracts.csv'), 'utf8');
    assert.ok(csv.startsWith('uid,id,kind,'), `${dir}/contracts.csv has its header`);
    assert.ok(csv.endsWith('\r\n'));
  }
  assert.ok(lines > imported, `${lines} releases (one per contract and per modification)`);
});

test('checksum files verify with sha256sum -c', () => {
  for (const dir of [...readdirSync(path.join(bulkDir, 'daily')).map((d) => `daily/${d}`), ...readdirSync(path.join(bulkDir, 'full')).map((d) => `full/${d}`)]) {
    for (const name of ['decp.json', 'ocds.jsonl', 'contracts.csv', 'decp.json.gz', 'ocds.jsonl.gz', 'contracts.csv.gz']) {
      const r = spawnSync('sha256sum', ['-c', `${name}.sha256`], { cwd: path.join(bulkDir, dir), encoding: 'utf8' });
      assert.equal(r.status, 0, `${dir}/${name}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^${name.replaceAll('.', '\\.')}: OK`));
    }
  }
});

test('a delta holds exactly the contracts changed that day; a day without change is empty but valid', () => {
  const changeDir = path.join(bulkDir, 'daily', days.change);
  assert.deepEqual(decpIds(path.join(changeDir, 'decp.json')), [changedId]);
  const lines = readFileSync(path.join(changeDir, 'ocds.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.length >= 1);
  assert.equal(new Set(lines.map((r) => r.ocid)).size, 1, 'one contract (its release and its modifications)');
  assert.match(lines[0].ocid, new RegExp(`${changedId}$`));
  assert.ok(readFileSync(path.join(changeDir, 'decp.json'), 'utf8').includes(changedObject));
  const csv = readFileSync(path.join(changeDir, 'contracts.csv'), 'utf8').trim().split('\r\n');
  assert.equal(csv.length, 2, 'header and one row');

  const quietDir = path.join(bulkDir, 'daily', days.quiet);
  assert.deepEqual(decpIds(path.join(quietDir, 'decp.json')), []);
  assert.equal(readFileSync(path.join(quietDir, 'ocds.jsonl'), 'utf8'), '');
  assert.equal(readFileSync(path.join(quietDir, 'contracts.csv'), 'utf8').trim().split('\r\n').length, 1);

  // The contract changed again on the change day is in the import day's delta
  // in that later state: the manifest counts it.
  const manifestOf = (day) => JSON.parse(readFileSync(path.join(bulkDir, 'daily', day, 'manifest.json'), 'utf8'));
  assert.equal(manifestOf(days.import).changed_after_day, 1);
  assert.equal(manifestOf(days.quiet).changed_after_day, 0);
  assert.equal(manifestOf(days.change).changed_after_day, 0);
  assert.ok(readFileSync(path.join(bulkDir, 'daily', days.import, 'decp.json'), 'utf8').includes(changedObject));

  const importDir = path.join(bulkDir, 'daily', days.import);
  const ocids = new Set(readFileSync(path.join(importDir, 'ocds.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l).ocid));
  assert.equal(ocids.size, imported, 'the import day holds every contract imported, once');
  const manifest = JSON.parse(readFileSync(path.join(importDir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.files.find((f) => f.name === 'contracts.csv').records, imported);
});

test('a file downloads in one request with its length and ETag, and a Range request resumes exactly', async () => {
  const url = `${server.base}/api/v1/bulk/full/decp.json`;
  const whole = await fetch(url);
  assert.equal(whole.status, 200);
  const body = Buffer.from(await whole.arrayBuffer());
  assert.equal(Number(whole.headers.get('content-length')), body.length);
  assert.equal(whole.headers.get('etag'), `"${sha256(body)}"`);
  assert.equal(whole.headers.get('accept-ranges'), 'bytes');
  assert.match(whole.headers.get('content-disposition'), /attachment; filename="decp-full-decp\.json"/);

  const cut = Math.floor(body.length / 3);
  const rest = await fetch(url, { headers: { Range: `bytes=${cut}-`, 'If-Range': whole.headers.get('etag') } });
  assert.equal(rest.status, 206);
  assert.equal(rest.headers.get('content-range'), `bytes ${cut}-${body.length - 1}/${body.length}`);
  const tail = Buffer.from(await rest.arrayBuffer());
  assert.ok(Buffer.concat([body.subarray(0, cut), tail]).equals(body), 'first part + resumed part = the file');

  const middle = await fetch(url, { headers: { Range: 'bytes=10-19' } });
  assert.equal(middle.status, 206);
  assert.ok(Buffer.from(await middle.arrayBuffer()).equals(body.subarray(10, 20)));
  const last = await fetch(url, { headers: { Range: 'bytes=-7' } });
  assert.ok(Buffer.from(await last.arrayBuffer()).equals(body.subarray(body.length - 7)));

  // A resume against another version of the file gets the whole new file.
  const stale = await fetch(url, { headers: { Range: `bytes=${cut}-`, 'If-Range': '"0000"' } });
  assert.equal(stale.status, 200);
  assert.equal(Buffer.from(await stale.arrayBuffer()).length, body.length);

  const beyond = await fetch(url, { headers: { Range: `bytes=${body.length}-` } });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get('content-range'), `bytes */${body.length}`);
  assert.match(beyond.headers.get('content-type'), /application\/problem\+json/);
  await beyond.text();

  const head = await fetch(url, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), body.length);

  const notModified = await fetch(url, { headers: { 'If-None-Match': whole.headers.get('etag') } });
  assert.equal(notModified.status, 304);

  const sum = await fetch(`${url}.sha256`);
  assert.equal(await sum.text(), `${sha256(body)}  decp.json\n`);

  for (const name of ['ocds.jsonl', 'contracts.csv']) {
    const r = await fetch(`${server.base}/api/v1/bulk/daily/${days.quiet}/${name}`);
    assert.equal(r.status, 200);
    const b = Buffer.from(await r.arrayBuffer());
    assert.equal(Number(r.headers.get('content-length')), b.length);
  }
});

test('a gzip copy downloads as a file of its own: its ETag and length, Range on its bytes, gunzip gives the file', async () => {
  const plain = Buffer.from(await (await fetch(`${server.base}/api/v1/bulk/full/ocds.jsonl`)).arrayBuffer());
  const url = `${server.base}/api/v1/bulk/full/ocds.jsonl.gz`;
  const whole = await fetch(url, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('content-type'), 'application/gzip');
  assert.equal(whole.headers.get('content-encoding'), null, 'not a Content-Encoding: the bytes are the file');
  const gz = Buffer.from(await whole.arrayBuffer());
  assert.equal(Number(whole.headers.get('content-length')), gz.length);
  assert.equal(whole.headers.get('etag'), `"${sha256(gz)}"`);
  assert.notEqual(whole.headers.get('etag'), `"${sha256(plain)}"`);
  assert.match(whole.headers.get('content-disposition'), /filename="decp-full-ocds\.jsonl\.gz"/);
  assert.ok(gunzipSync(gz).equals(plain));
  assert.ok(gz.length * 4 < plain.length, `compressed ${plain.length} to ${gz.length}`);

  // Resume: the range is of the compressed bytes, checked against its ETag.
  const cut = Math.floor(gz.length / 2);
  const rest = await fetch(url, { headers: { Range: `bytes=${cut}-`, 'If-Range': whole.headers.get('etag') } });
  assert.equal(rest.status, 206);
  assert.equal(rest.headers.get('content-range'), `bytes ${cut}-${gz.length - 1}/${gz.length}`);
  const tail = Buffer.from(await rest.arrayBuffer());
  assert.ok(gunzipSync(Buffer.concat([gz.subarray(0, cut), tail])).equals(plain));
  // The plain file's ETag does not resume the gzip copy.
  const other = await fetch(url, { headers: { Range: `bytes=${cut}-`, 'If-Range': `"${sha256(plain)}"` } });
  assert.equal(other.status, 200);
  assert.equal(Buffer.from(await other.arrayBuffer()).length, gz.length);
  const beyond = await fetch(url, { headers: { Range: `bytes=${gz.length}-` } });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get('content-range'), `bytes */${gz.length}`);
  await beyond.text();
  const notModified = await fetch(url, { headers: { 'If-None-Match': whole.headers.get('etag') } });
  assert.equal(notModified.status, 304);
  assert.equal(await (await fetch(`${url}.sha256`)).text(), `${sha256(gz)}  ocds.jsonl.gz\n`);

  // curl, as a reuser would: resume a partial download, then check it with sha256sum and gunzip.
  const part = path.join(work, 'ocds.jsonl.gz');
  writeFileSync(part, gz.subarray(0, 1000));
  const curl = spawnSync('curl', ['-sS', '-f', '-C', '-', '-o', part, url], { encoding: 'utf8' });
  assert.equal(curl.status, 0, curl.stderr);
  writeFileSync(`${part}.sha256`, await (await fetch(`${url}.sha256`)).text());
  const check = spawnSync('sha256sum', ['-c', 'ocds.jsonl.gz.sha256'], { cwd: work, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  const unzipped = spawnSync('gunzip', ['-c', part], { maxBuffer: 256 << 20 });
  assert.equal(unzipped.status, 0);
  assert.ok(unzipped.stdout.equals(plain));

  // A daily delta's copies too; an unknown compressed name is 404.
  const day = await fetch(`${server.base}/api/v1/bulk/daily/${days.change}/decp.json.gz`);
  assert.equal(day.status, 200);
  assert.ok(gunzipSync(Buffer.from(await day.arrayBuffer())).toString().includes(changedObject));
  const unknown = await getJson(`${server.base}/api/v1/bulk/full/decp.xml.gz`);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.field, 'file');
});

test('bad bulk URLs get problem+json naming what is wrong', async () => {
  const notADate = await getJson(`${server.base}/api/v1/bulk/daily/2026-02-30/decp.json`);
  assert.equal(notADate.status, 400);
  assert.equal(notADate.body.field, 'day');
  assert.match(notADate.body.detail, /2026-02-30/);
  const words = await getJson(`${server.base}/api/v1/bulk/daily/yesterday/decp.json`);
  assert.equal(words.status, 400);
  const unknown = await getJson(`${server.base}/api/v1/bulk/full/decp.xml`);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.field, 'file');
  assert.match(unknown.body.detail, /decp\.xml/);
  const noDelta = await getJson(`${server.base}/api/v1/bulk/daily/1999-01-01/decp.json`);
  assert.equal(noDelta.status, 404);
  assert.equal(noDelta.headers.get('content-type'), 'application/problem+json');
});

test('the /donnees page lists the files in French', async () => {
  const r = await fetch(`${server.base}/donnees`);
  assert.equal(r.status, 200);
  const html = await r.text();
  assert.match(html, /Données ouvertes en masse/);
  assert.ok(html.includes('href="/api/v1/bulk/full/decp.json"'));
  assert.ok(html.includes(`href="/api/v1/bulk/daily/${days.change}/ocds.jsonl"`));
  assert.ok(html.includes('href="/api/v1/bulk/full/ocds.jsonl.gz"'));
});

test('limpide bulk rejects a day that is not a date, or not over, and cutting again changes nothing', () => {
  const bad = run(['bulk', '--data-dir', dataDir, '--day', '2026-13-01']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--day: '2026-13-01' is not a date/);
  const today = run(['bulk', '--data-dir', dataDir, '--day', parisDay(0)]);
  assert.equal(today.status, 2);
  assert.match(today.stderr, /not over yet/);
  const before = readFileSync(path.join(bulkDir, 'index.json'), 'utf8');
  const again = run(['bulk', '--data-dir', dataDir], DAY);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /nothing due/);
  assert.equal(readFileSync(path.join(bulkDir, 'index.json'), 'utf8'), before);
});

test('limpide export --format ocds-jsonl writes one valid release per line', () => {
  const out = path.join(work, 'all.jsonl');
  const r = run(['export', '--data-dir', dataDir, '--format', 'ocds-jsonl', '--output', out]);
  assert.equal(r.status, 0, r.stderr);
  const full = readFileSync(path.join(bulkDir, 'full', readdirSync(path.join(bulkDir, 'full'))[0], 'ocds.jsonl'), 'utf8');
  const mine = readFileSync(out, 'utf8');
  assert.equal(mine.split('\n').length, full.split('\n').length, 'same releases as the full dump');
  assert.equal(readFileSync(`${out}.sha256`, 'utf8'), `${sha256(Buffer.from(mine))}  all.jsonl\n`);
});

test('limpide serve cuts the files due on its schedule', async () => {
  const dir = tempDir();
  const r = run(['import', '--data-dir', dir, '--json', path.join(SOURCE_DIR, 'data/demo/concessions.json')]);
  assert.equal(r.status, 0, r.stderr);
  const s = await startServer({ dataDir: dir, args: ['--rate-limit', '0', '--bulk-every', '1'] });
  try {
    let index = null;
    for (let i = 0; i < 100 && !index?.full; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      index = (await getJson(`${s.base}/api/v1/bulk`)).body;
    }
    assert.ok(index?.full, `a full dump within 20 s: ${s.stderr()}`);
    assert.deepEqual(index.daily, [], 'no day is over yet');
    const csv = await fetch(`${s.base}${index.full.files[2].url}`);
    assert.equal(csv.status, 200);
    assert.equal(sha256(Buffer.from(await csv.arrayBuffer())), index.full.files[2].sha256);
  } finally {
    assert.equal(await s.stop(), 0);
    s.cleanup();
  }
});
