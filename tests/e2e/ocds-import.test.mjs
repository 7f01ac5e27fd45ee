// OCDS in through the real binary: `limpide import` of release packages, record
// packages and JSON Lines (the real ProZorro sample and the OCP fictional
// process), broken input rejected with positions, and the API serving what was
// imported (contracts, sources, records merged from the stored releases).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SHARED, getJson, runImport, startServer, tempDir } from './harness.mjs';

const PROZORRO = path.join(SHARED, 'ocds/samples/prozorro-ua');
const FICTIONAL = path.join(SHARED, 'ocds/samples/fictional-ocp-1.1');
const FICTIONAL_RELEASES = readdirSync(FICTIONAL)
  .filter((n) => /^ocds-213czf-000-00001-0\d-.*\.json$/.test(n))
  .sort()
  .map((n) => path.join(FICTIONAL, n));

function rejectLines(file) {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

// JSON equality with key order aside.
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  }
  return v;
}

test('the real ProZorro release package imports: releases stored, contracts readable, extensions reported', async () => {
  const dir = tempDir();
  const rejects = path.join(dir, 'rejects.jsonl');
  const r = runImport(dir, [path.join(PROZORRO, 'release-package-10.json')], ['--rejects', rejects]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const f = r.json.files[0];
  assert.equal(f.format, 'ocds-release-package');
  assert.equal(f.read, 10);
  assert.equal(f.inserted, 10);
  assert.equal(f.rejected, 0);
  assert.equal(f.contracts.written, 10, JSON.stringify(f.contracts));
  // 16 extensions: the corrupted one is reported broken, the others not checked (no network).
  assert.equal(f.extensions.length, 16);
  const broken = f.extensions.filter((e) => e.status.startsWith('broken'));
  assert.equal(broken.length, 1, JSON.stringify(f.extensions));
  assert.match(broken[0].url, /<Paste>$/);
  assert.ok(f.extensions.filter((e) => e.status.startsWith('not checked')).length === 15);
  // Amounts in UAH are not made euros: reported.
  assert.ok(f.warnings.some((w) => /UAH/.test(w)), JSON.stringify(f.warnings.slice(0, 5)));

  // Importing it again changes nothing.
  const again = runImport(dir, [path.join(PROZORRO, 'release-package-10.json')]);
  assert.equal(again.json.files[0].unchanged, 10);
  assert.equal(again.json.files[0].inserted, 0);

  const server = await startServer({ dataDir: dir });
  try {
    const pkg = JSON.parse(readFileSync(path.join(PROZORRO, 'release-package-10.json'), 'utf8'));
    const release = pkg.releases[0];
    const contractId = release.contracts[0].id;
    const uid = `${release.ocid}:${contractId}`;
    const c = await getJson(`${server.base}/api/v1/contracts/${encodeURIComponent(uid)}`);
    assert.equal(c.status, 200, JSON.stringify(c.body));
    assert.equal(c.body.uid, uid);
    assert.equal(c.body.buyer.id, release.buyer.id);
    assert.equal(c.body.amount, undefined, 'UAH is not an amount in euros');
    assert.ok(c.body.flags.includes('from_ocds'));
    assert.deepEqual(c.body.sources, [
      { source: 'release-package-10.json', format: 'ocds-release-package', ocid: release.ocid },
    ]);
    // The listing holds the ten contracts.
    const list = await getJson(`${server.base}/api/v1/contracts?limit=100`);
    assert.equal(list.body.data.filter((x) => x.uid.startsWith('ocds-be6bcu-')).length, 10);
    // The record of an imported ocid is built from the stored release, verbatim.
    const rec = await getJson(`${server.base}/api/v1/ocds/records/${encodeURIComponent(release.ocid)}`);
    assert.equal(rec.status, 200, JSON.stringify(rec.body));
    assert.deepEqual(canonical(rec.body.records[0].releases[0]), canonical(release));
    assert.equal(rec.body.records[0].compiledRelease.ocid, release.ocid);
    assert.deepEqual(rec.body.records[0].compiledRelease.tag, ['compiled']);
    // The release listing serves imported processes under their own ocid, once.
    const rels = await getJson(`${server.base}/api/v1/ocds/releases?limit=100`);
    const ocids = rels.body.releases.map((x) => x.ocid);
    assert.ok(ocids.includes(release.ocid));
    assert.ok(!ocids.some((o) => o.includes(':')), 'no ocid made from an imported uid');
  } finally {
    await server.stop();
  }
});

test('the real ProZorro record package imports: linked releases reported, compiled releases stored', () => {
  const dir = tempDir();
  const r = runImport(dir, [path.join(PROZORRO, 'record-package-10.json')]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const f = r.json.files[0];
  assert.equal(f.format, 'ocds-record-package');
  assert.equal(f.read, 10);
  assert.equal(f.inserted, 10);
  assert.ok(f.warnings.some((w) => /linked releases cannot be fetched/.test(w)));
  assert.equal(f.extensions.filter((e) => e.status.startsWith('broken')).length, 1);
});

test('the six fictional releases import, and the record served is the OCP record: compiled and versioned', async () => {
  const dir = tempDir();
  const r = runImport(dir, FICTIONAL_RELEASES);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.equal(r.json.totals.inserted, 6, JSON.stringify(r.json.totals));
  const server = await startServer({ dataDir: dir });
  try {
    const ocid = 'ocds-213czf-000-00001';
    const rec = await getJson(`${server.base}/api/v1/ocds/records/${ocid}`);
    assert.equal(rec.status, 200, JSON.stringify(rec.body));
    const expected = JSON.parse(readFileSync(path.join(FICTIONAL, 'record-ocds-213czf-000-00001-withversions.json'), 'utf8')).records[0];
    assert.deepEqual(canonical(rec.body.records[0].compiledRelease), canonical(expected.compiledRelease));
    assert.deepEqual(canonical(rec.body.records[0].versionedRelease), canonical(expected.versionedRelease));
    assert.equal(rec.body.records[0].releases.length, 6);
    // Its contract is readable through the contracts API.
    const list = await getJson(`${server.base}/api/v1/contracts?limit=100`);
    const mine = list.body.data.filter((x) => x.uid.startsWith(`${ocid}:`));
    assert.equal(mine.length, 1, JSON.stringify(list.body.data.map((x) => x.uid)));
  } finally {
    await server.stop();
  }
});

test('bad releases are rejected with their position and reason; the rest of the file goes in', () => {
  const dir = tempDir();
  const good = (n, extra = {}) => ({
    ocid: 'ocds-abc123-process-1', id: `r${n}`, date: `2024-01-0${n}T10:00:00Z`, tag: ['tender'],
    initiationType: 'tender', tender: { id: 't1', title: 'Travaux' }, ...extra,
  });
  const lines = [
    JSON.stringify(good(1)),
    '{"ocid": "ocds-abc123-process-1", "id": broken}',
    JSON.stringify({ id: 'r3', date: '2024-01-03T10:00:00Z', tag: ['tender'] }),
    JSON.stringify(good(4, { date: 'mardi dernier' })),
    JSON.stringify(good(5, { ocid: 'OCDS-12-process-1' })),
    JSON.stringify(good(6, { tender: { id: 't1', tenderPeriod: { endDate: '31/12/2024' } } })),
    JSON.stringify(good(7)),
    JSON.stringify(good(1)),
  ];
  const file = path.join(dir, 'releases.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  const rejects = path.join(dir, 'rejects.jsonl');
  const r = runImport(dir, [file], ['--rejects', rejects]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const f = r.json.files[0];
  assert.equal(f.format, 'ocds-json-lines');
  assert.equal(f.read, 8);
  assert.equal(f.inserted, 2);
  assert.equal(f.rejected, 5);
  assert.equal(f.duplicates, 1);
  const out = rejectLines(rejects);
  const at = (line) => out.find((l) => l.line === line);
  assert.match(at(2).reasons[0].reason, /^2:\d+: not JSON/);
  assert.equal(at(3).reasons[0].field, 'ocid');
  assert.match(at(4).reasons.map((x) => x.reason).join(), /not a date-time/);
  assert.equal(at(4).reasons[0].field, 'date');
  assert.match(at(5).reasons[0].reason, /malformed prefix/);
  assert.equal(at(6).reasons[0].field, 'tender/tenderPeriod/endDate');
  assert.equal(at(8).duplicateOf, 1);
  for (const l of out) assert.equal(l.file, file);
});

test('a package with a broken release keeps the others; a file that is not JSON is refused with its position', () => {
  const dir = tempDir();
  const rel = (id) => JSON.stringify({ ocid: 'ocds-abc123-p2', id, date: '2024-02-01T00:00:00Z', tag: ['planning'] });
  const pkg = path.join(dir, 'package.json');
  writeFileSync(pkg, `{"uri": "https://example.org/p", "version": "1.1",\n "releases": [\n  ${rel('a')},\n  {"ocid": "ocds-abc123-p2", "id": "b", "date": 2024-02-02},\n  ${rel('c')}\n ],\n "extensions": ["not a url"]}\n`);
  const rejects = path.join(dir, 'rejects.jsonl');
  const r = runImport(dir, [pkg], ['--rejects', rejects]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const f = r.json.files[0];
  assert.equal(f.inserted, 2, 'a and c: two releases of one process');
  assert.equal(f.read, 3);
  assert.equal(f.rejected, 1);
  assert.deepEqual(f.extensions, [{ url: 'not a url', status: 'broken: not an http(s) URL' }]);
  const out = rejectLines(rejects);
  assert.equal(out[0].position, 2);
  assert.equal(out[0].line, 4);
  assert.match(out[0].reasons[0].reason, /^4:\d+: not JSON/);

  const notJson = path.join(dir, 'not.json');
  writeFileSync(notJson, '<html>502 Bad Gateway</html>');
  const bad = runImport(dir, [notJson]);
  assert.equal(bad.status, 3);
  assert.match(bad.json.files[0].error, /not\.json:\d+:\d+: /);
});

test('amendments keep their history: importing the initial data again never undoes a modification', async () => {
  const dir = tempDir();
  const withMods = path.join(SHARED, 'decp/examples-2.0/json/marches_avec_modifications.json');
  const doc = JSON.parse(readFileSync(withMods, 'utf8'));
  const list = [].concat(doc.marches.marche);
  const initial = path.join(dir, 'initial.json');
  for (const m of list) delete m.modifications;
  writeFileSync(initial, JSON.stringify({ marches: { marche: list } }));
  const first = runImport(dir, [withMods]);
  assert.equal(first.status, 0, first.stderr);
  const second = runImport(dir, [initial]);
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.json.totals.updated, 0, 'the initial data changes nothing');
  const server = await startServer({ dataDir: dir });
  try {
    const uid = `${list[0].acheteur.id}${list[0].id}`;
    const c = await getJson(`${server.base}/api/v1/contracts/${uid}`);
    assert.equal(c.status, 200);
    assert.equal(c.body.modifications.length, 1, JSON.stringify(c.body.modifications));
    // Both sources are listed; one contract.
    assert.deepEqual(c.body.sources.map((s) => s.source).sort(), ['initial.json', 'marches_avec_modifications.json']);
    // The versioned view: the amendment is a release of its own, and the
    // versioned release has the amount before and after.
    const rec = await getJson(`${server.base}/api/v1/ocds/records/ocds-lmpd00-${uid}`);
    assert.equal(rec.status, 200, JSON.stringify(rec.body));
    const r = rec.body.records[0];
    assert.deepEqual(r.releases.map((x) => x.tag[0]), ['award', 'contractAmendment']);
    const values = r.versionedRelease.contracts[0].value.amount.map((v) => v.value);
    assert.equal(values.length, 2, JSON.stringify(values));
    assert.equal(values[1], 123457.87);
    assert.equal(r.compiledRelease.contracts[0].value.amount, 123457.87);
  } finally {
    await server.stop();
  }
});
