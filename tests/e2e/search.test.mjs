// Search through the real server over the demo data: /api/v1/search, the
// /recherche page, and `limpide reindex` (docs/search.md).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BIN, EXAMPLES_2, REAL_FILES, getJson, runImport, startServer, tempDir } from './harness.mjs';

let server;
let base;
let dataDir;

// Searches until the index has caught up with the ledger (it follows it on a
// background thread).
async function searchWhenIndexed(query) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await getJson(`${base}/api/v1/search${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    if (r.body.index_position === r.body.ledger_size) return r;
    assert.ok(Date.now() < deadline, `index stuck at ${r.body.index_position}/${r.body.ledger_size}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

before(async () => {
  dataDir = tempDir();
  const r = runImport(dataDir, [...REAL_FILES, ...EXAMPLES_2]);
  assert.equal(r.status, 0, r.stderr);
  server = await startServer({ dataDir, args: ['--rate-limit', '0'] });
  base = server.base;
});
after(async () => {
  const code = await server?.stop();
  assert.equal(code, 0, 'graceful exit on SIGTERM');
  server?.cleanup();
});

test('the index follows the ledger and says how far it is', async () => {
  const r = await searchWhenIndexed('?q=%C3%A9lagage');
  assert.ok(r.body.ledger_size > 8000, `ledger_size ${r.body.ledger_size}`);
  assert.ok(r.body.total >= 10, `total ${r.body.total}`);
  const first = r.body.data[0];
  assert.equal(first.type, 'contract');
  assert.match(first.snippet, /<mark>[^<]*lagage<\/mark>/i);
  assert.equal(first.links.self, `/api/v1/contracts/${encodeURIComponent(first.uid)}`);
  const contract = await getJson(`${base}${first.links.self}`);
  assert.equal(contract.status, 200);
});

test('accents, stemming and filters work over HTTP', async () => {
  await searchWhenIndexed('');
  const plain = await getJson(`${base}/api/v1/search?q=renovation&limit=5`);
  const accented = await getJson(`${base}/api/v1/search?q=r%C3%A9novations&limit=5`);
  assert.equal(plain.status, 200);
  assert.ok(plain.body.total > 100);
  assert.equal(plain.body.total, accented.body.total);

  const cpv = await getJson(`${base}/api/v1/search?q=travaux&cpv=45000000-7&limit=100`);
  assert.equal(cpv.status, 200);
  assert.ok(cpv.body.data.length > 0);
  for (const item of cpv.body.data) assert.ok(item.cpv.startsWith('45'), item.cpv);

  const dept = await getJson(`${base}/api/v1/search?department=44&sort=amount&limit=50`);
  assert.equal(dept.status, 200);
  let previous = Infinity;
  for (const item of dept.body.data) {
    assert.equal(item.department, '44');
    assert.ok((item.amount ?? 0) <= previous, 'sorted by amount, largest first');
    previous = item.amount ?? 0;
  }

  // A region is any of its departments: Pays de la Loire (52) holds 44, 49, 53, 72, 85.
  const region = await getJson(`${base}/api/v1/search?region=52&limit=100`);
  assert.equal(region.status, 200);
  assert.ok(region.body.total >= dept.body.total, 'the region holds department 44');
  for (const item of region.body.data) assert.ok(['44', '49', '53', '72', '85'].includes(item.department), item.department);
});

test('facets come with counts and are filters', async () => {
  const r = await searchWhenIndexed('?q=travaux');
  for (const name of ['cpv', 'department', 'procedure', 'buyer']) {
    assert.ok(Array.isArray(r.body.facets[name]), name);
  }
  assert.ok(Number.isInteger(r.body.facetsSampled) && r.body.facetsSampled >= 0);
  if (!r.body.facetsExact && r.body.totalExact) assert.ok(r.body.facetsSampled < r.body.total);
  const top = r.body.facets.department[0];
  assert.ok(top.count > 0 && top.label.length > 0);
  const narrowed = await getJson(`${base}/api/v1/search?q=travaux&department=${top.value}`);
  assert.equal(narrowed.status, 200);
  if (r.body.facetsExact) assert.equal(narrowed.body.total, top.count);
  assert.ok(narrowed.body.total <= r.body.total);
  // The page says what "≈" means when the counts come from a sample.
  const html = await (await fetch(`${base}/recherche?q=travaux`)).text();
  if (r.body.facetsExact) {
    assert.doesNotMatch(html, /estimés sur les/);
  } else {
    const said = html.match(/estimés sur les ([\d\u202f]+) résultats tirés au hasard/);
    assert.ok(said, 'the page names the sample');
    assert.equal(Number(said[1].replace(/\D/g, '')), r.body.facetsSampled);
  }
});

test('paging follows links.next without repeating a result', async () => {
  const seen = new Set();
  let url = `${base}/api/v1/search?q=nettoyage&limit=100`;
  let total = 0;
  while (url) {
    const r = await getJson(url);
    assert.equal(r.status, 200);
    total = r.body.total;
    for (const item of r.body.data) {
      assert.ok(!seen.has(item.uid), `duplicate ${item.uid}`);
      seen.add(item.uid);
    }
    url = r.body.links.next ? `${base}${r.body.links.next}` : null;
  }
  assert.equal(seen.size, total);
});

test('bad parameters are 400 problems naming the field; bad syntax is searched as words', async () => {
  for (const [query, field] of [['cpv=4', 'cpv'], ['sort=price', 'sort'], ['limit=0', 'limit'],
    ['department=20', 'department'], ['region=22', 'region'], ['colour=red', 'colour'],
    ['page=100000', 'page']]) {
    const r = await getJson(`${base}/api/v1/search?${query}`);
    assert.equal(r.status, 400, query);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.equal(r.body.field, field, query);
  }
  const unbalanced = await getJson(`${base}/api/v1/search?q=${encodeURIComponent('"travaux de voirie')}`);
  assert.equal(unbalanced.status, 200);
  assert.ok(unbalanced.body.total > 0);
  const lone = await getJson(`${base}/api/v1/search?q=${encodeURIComponent('voirie AND')}`);
  assert.equal(lone.status, 200);
  assert.ok(lone.body.total > 0);
});

test('the /recherche page renders results and facet links without JavaScript', async () => {
  await searchWhenIndexed('');
  const r = await fetch(`${base}/recherche?q=elagage`);
  assert.equal(r.status, 200);
  const html = await r.text();
  assert.match(html, /<h1>Recherche<\/h1>/);
  assert.match(html, /<mark>/);
  assert.match(html, /href="\/recherche\?q=elagage&amp;department=/);
  assert.match(html, /href="\/recherche">Recherche<\/a>/, 'linked from the navigation');
  const bretagne = await (await fetch(`${base}/recherche?q=travaux&region=53`)).text();
  assert.match(bretagne, /<option value="53" selected>Bretagne<\/option>/, 'the region stays chosen');
  assert.match(bretagne, /Région : 53/, 'and is shown as an active filter');
  const bad = await fetch(`${base}/recherche?cpv=x`);
  assert.equal(bad.status, 400);
});

test('openapi describes /api/v1/search', async () => {
  const r = await getJson(`${base}/api/v1/openapi.json`);
  assert.ok(r.body.paths['/api/v1/search'].get.parameters.some((p) => p.name === 'department'));
});

test('limpide reindex refuses while the server holds the index, then rebuilds it', async () => {
  const busy = spawnSync(BIN, ['reindex', '--data-dir', dataDir], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(busy.status, 1, busy.stderr);
  assert.match(busy.stderr, /stop `limpide serve` first/);

  const other = tempDir();
  const imported = runImport(other, EXAMPLES_2);
  assert.equal(imported.status, 0, imported.stderr);
  const r = spawnSync(BIN, ['reindex', '--data-dir', other], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /reindexed \d+ ledger entries: \d+ documents/);
  assert.ok(existsSync(path.join(other, 'search')));
  assert.ok(!existsSync(path.join(other, 'search.new')));
  const again = spawnSync(BIN, ['reindex', '--data-dir', other], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(again.status, 0, again.stderr);
});
