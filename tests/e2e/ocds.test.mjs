// OCDS 1.1 out through the real server, on all of data/demo: every release
// package of /api/v1/ocds/releases and a sample of record packages validate
// against the official 1.1.5 package schemas (JSON Schema draft-04), plus the
// data review checks (unique ids, no empty values, codelists).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { SHARED, SOURCE_DIR, getJson, runImport, startServer, tempDir, demoFiles } from './harness.mjs';

const SCHEMA_DIR = path.join(SHARED, 'ocds/schema');


// Every schema of the folder, together: they reference each other by absolute id.
function validators() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const name of readdirSync(SCHEMA_DIR)) {
    if (!name.endsWith('.json') || name === 'meta-schema.json') continue;
    ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMA_DIR, name), 'utf8')));
  }
  const get = (name) => ajv.getSchema(JSON.parse(readFileSync(path.join(SCHEMA_DIR, name), 'utf8')).id);
  return { releasePackage: get('release-package-schema.json'), recordPackage: get('record-package-schema.json') };
}

function codelist(name) {
  const lines = readFileSync(path.join(SCHEMA_DIR, 'codelists', name), 'utf8').split('\n').slice(1);
  return new Set(lines.map((l) => l.split(',')[0]).filter(Boolean));
}
const CODES = {
  tag: codelist('releaseTag.csv'),
  initiationType: codelist('initiationType.csv'),
  roles: codelist('partyRole.csv'),
  procurementMethod: codelist('method.csv'),
  mainProcurementCategory: codelist('procurementCategory.csv'),
  currency: codelist('currency.csv'),
  scheme: codelist('itemClassificationScheme.csv'),
};

// Data review checks on one release: no empty strings, objects or arrays; codelist values.
function review(value, where, problems, key = '') {
  if (value === null || value === '' ||
      (typeof value === 'object' && Object.keys(value).length === 0)) {
    problems.push(`${where}: empty ${key}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => review(v, `${where}[${i}]`, problems, key));
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) review(v, `${where}.${k}`, problems, k);
    return;
  }
  const list = key === 'scheme' && !where.includes('classification') ? null : CODES[key];
  if (list && typeof value === 'string' && !list.has(value)) problems.push(`${where}: ${value} not in the ${key} codelist`);
}

let server;
let base;
let work;
let schemas;
before(async () => {
  work = tempDir();
  const dataDir = tempDir();
  const r = runImport(dataDir, demoFiles(work));
  assert.equal(r.status, 0, r.stderr);
  server = await startServer({ dataDir, args: ['--rate-limit', '0'] });
  base = server.base;
  schemas = validators();
});
after(async () => {
  const code = await server?.stop();
  assert.equal(code, 0, 'graceful exit on SIGTERM');
  server?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const sampleOcids = [];

test('every release package validates and passes the data review checks', async () => {
  let url = `${base}/api/v1/ocds/releases?limit=500`;
  let pages = 0;
  let releases = 0;
  let amendments = 0;
  const lastDate = new Map();
  while (url) {
    const r = await getJson(url);
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
    const ok = schemas.releasePackage(r.body);
    assert.ok(ok, `page ${pages}: ${JSON.stringify(schemas.releasePackage.errors?.slice(0, 5))}`);
    const ids = new Set();
    const problems = [];
    for (const rel of r.body.releases) {
      assert.ok(!ids.has(rel.id), `duplicate release id ${rel.id}`);
      ids.add(rel.id);
      const t = Date.parse(rel.date);
      if (lastDate.has(rel.ocid)) assert.ok(t > lastDate.get(rel.ocid), `dates not increasing in ${rel.ocid}`);
      lastDate.set(rel.ocid, t);
      if (rel.tag.includes('contractAmendment')) amendments++;
      review(rel, rel.id, problems);
      if (sampleOcids.length < 200 && releases % 97 === 0) sampleOcids.push(rel.ocid);
      releases++;
    }
    assert.deepEqual(problems.slice(0, 10), []);
    pages++;
    url = r.body.links?.next ? `${base}${r.body.links.next}` : null;
  }
  assert.ok(releases > 1000, `only ${releases} releases`);
  assert.ok(amendments > 0, 'no amendment release');
  console.log(`ocds: ${releases} releases (${amendments} amendments, ${lastDate.size} ocids) in ${pages} valid packages`);
});

test('a sample of record packages validates', async () => {
  assert.ok(sampleOcids.length > 10);
  const seen = new Set();
  for (const ocid of sampleOcids) {
    const r = await getJson(`${base}/api/v1/ocds/records/${encodeURIComponent(ocid)}`);
    assert.equal(r.status, 200, `${ocid}: ${JSON.stringify(r.body)}`);
    const ok = schemas.recordPackage(r.body);
    assert.ok(ok, `${ocid}: ${JSON.stringify(schemas.recordPackage.errors?.slice(0, 5))}`);
    const ocids = new Set(r.body.records.map((x) => x.ocid));
    assert.equal(ocids.size, r.body.records.length, 'unique ocids in a record package');
    assert.equal(r.body.records[0].ocid, ocid);
    const problems = [];
    review(r.body.records[0].compiledRelease, ocid, problems);
    assert.deepEqual(problems.slice(0, 10), []);
    seen.add(ocid);
  }
  console.log(`ocds: ${seen.size} record packages valid`);
});

test('unknown ocids are 404 problems', async () => {
  const r = await getJson(`${base}/api/v1/ocds/records/ocds-zzzzzz-nothing`);
  assert.equal(r.status, 404);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
});

test('the golden OCDS files validate against the official package schemas', () => {
  const { releasePackage, recordPackage } = validators();
  const golden = path.join(SOURCE_DIR, 'tests/formats/golden');
  for (const [name, validate] of [['ocds-release-package.json', releasePackage], ['ocds-record-package.json', recordPackage]]) {
    const ok = validate(JSON.parse(readFileSync(path.join(golden, name), 'utf8')));
    assert.ok(ok, `${name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  }
});
