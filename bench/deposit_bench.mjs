// 64 companies depositing 1 MB sealed bids at once in the last minute
// (issue 4's target: >= 200 deposits/s, p99 < 500 ms, every acknowledged
// deposit stored). Beside it, in the same run, the same clients POST the same
// 1 MB bodies to a route that only reads them (the HTTP ceiling).
//   node bench/deposit_bench.mjs BUILD_DIR [COMPANIES=64] [DEPOSITS_PER_COMPANY=8] [ROUNDS=3]
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sodium from 'libsodium-wrappers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD = path.resolve(process.argv[2] ?? 'build');
const COMPANIES = Number(process.argv[3] ?? 64);
const PER_COMPANY = Number(process.argv[4] ?? 8);
const ROUNDS = Number(process.argv[5] ?? 3);
const BIN = path.join(BUILD, 'limpide');
const PASSWORD = 'un mot de passe solide';
const BID_BYTES = 1_000_000;
const seal = await import(path.join(ROOT, 'src/web/static/seal.js'));
await sodium.ready;

function siret(prefix) {
  for (let d = 0; d <= 9; d++) {
    const s = prefix + d;
    let sum = 0;
    for (let i = 0; i < 14; i++) {
      let v = Number(s[13 - i]);
      if (i % 2 === 1) { v *= 2; if (v > 9) v -= 9; }
      sum += v;
    }
    if (sum % 10 === 0) return s;
  }
  throw new Error('unreachable');
}

const work = mkdtempSync(path.join(tmpdir(), 'limpide-deposit-bench-'));
const dataDir = path.join(work, 'data');
const passwordFile = path.join(work, 'password');
writeFileSync(passwordFile, `${PASSWORD}\n`);
function addAccount(email, org, orgName, role) {
  const r = spawnSync(BIN, ['account', 'add', '--data-dir', dataDir, '--email', email, '--name', email,
    '--org', org, '--org-name', orgName, '--role', role, '--password-file', passwordFile], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}
addAccount('agent@rennes.fr', siret('2135023880001'), 'Commune de Rennes', 'buyer_agent');
for (let i = 0; i < COMPANIES; i++) {
  addAccount(`c${i}@bench.fr`, siret(`7${String(i).padStart(8, '0')}0000`), `Entreprise ${i}`, 'company_rep');
}

const server = spawn(BIN, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--rate-limit', '0',
  '--no-access-log'], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/listening on (http:\/\/[^/\s]+)\//);
    if (m) resolve(m[1]);
  });
});

async function call(method, route, { json, body, type, token } = {}) {
  const headers = {};
  if (json !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(json); }
  if (type) headers['content-type'] = type;
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(`${base}${route}`, { method, headers, body });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}
async function login(email) {
  const r = await call('POST', '/api/v1/session', { json: { email, password: PASSWORD } });
  assert.equal(r.status, 201);
  return r.body.token;
}

const buyer = await login('agent@rennes.fr');
const tokens = [];
for (let i = 0; i < COMPANIES; i++) tokens.push(await login(`c${i}@bench.fr`));

function pct(sorted, p) { return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]; }

async function publish() {
  const deadline = new Date(Date.now() + 60_000).toISOString();  // the last minute
  const d = await call('POST', '/api/v1/tenders', { token: buyer, json: {
    title: 'Banc d\'essai', procedure: 'procedure_adaptee', cpv: '77211400-6',
    criteria: [{ name: 'Prix', weight: 100 }], maxDocumentBytes: 2 * BID_BYTES, deadline } });
  assert.equal(d.status, 201, JSON.stringify(d.body));
  const p = await call('POST', `/api/v1/tenders/${d.body.id}/publish`, { token: buyer });
  assert.equal(p.status, 200);
  return p.body.tender;
}

// Each company deposits PER_COMPANY sealed bids one after the other; all companies at once.
// `single`: one request per deposit (POST of the sealed chunk); else start, chunk, complete.
async function depositRound(tender, single) {
  const key = seal.publicKeyFromBase64(sodium, tender.opening_public_key);
  const plaintext = new Uint8Array(BID_BYTES).fill(42);
  const sealed = seal.sealDocument(sodium, key, plaintext);  // sealed by the client, before timing
  const latencies = [];
  let receipts = 0;
  const t0 = performance.now();
  await Promise.all(tokens.map(async (token) => {
    for (let k = 0; k < PER_COMPANY; k++) {
      const s = performance.now();
      if (single) {
        const one = await call('POST', `/api/v1/tenders/${tender.id}/deposits?name=offre.pdf`,
          { token, type: 'application/octet-stream', body: sealed[0] });
        assert.equal(one.status, 201, JSON.stringify(one.body));
        receipts++;
        latencies.push(performance.now() - s);
        continue;
      }
      const d = await call('POST', `/api/v1/tenders/${tender.id}/deposits`, { token,
        json: { documents: [{ name: 'offre.pdf', size: BID_BYTES, sealed: true }] } });
      assert.equal(d.status, 201, JSON.stringify(d.body));
      for (const [i, c] of sealed.entries()) {
        const put = await call('PUT', `/api/v1/tenders/${tender.id}/deposits/${d.body.id}/documents/0/chunks/${i}`,
          { token, type: 'application/octet-stream', body: c });
        assert.equal(put.status, 200, JSON.stringify(put.body));
      }
      const done = await call('POST', `/api/v1/tenders/${tender.id}/deposits/${d.body.id}/complete`, { token });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      receipts++;
      latencies.push(performance.now() - s);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  // Every acknowledged deposit is stored, complete.
  let stored = 0;
  for (const token of tokens) {
    const mine = await call('GET', `/api/v1/tenders/${tender.id}/deposits`, { token });
    stored += mine.body.items.filter((d) => d.state === 'complete').length;
  }
  latencies.sort((a, b) => a - b);
  return { rate: receipts / seconds, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), receipts, stored };
}

// The ceiling: the same number of 1 MB bodies posted to a route that reads and refuses them.
async function ceilingRound() {
  const body = new Uint8Array(BID_BYTES + 48).fill(7);
  const latencies = [];
  const t0 = performance.now();
  await Promise.all(tokens.map(async () => {
    for (let k = 0; k < PER_COMPANY; k++) {
      const s = performance.now();
      const r = await fetch(`${base}/bench/discard`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
      await r.arrayBuffer();
      latencies.push(performance.now() - s);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / seconds, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99) };
}

console.log(`${COMPANIES} companies x ${PER_COMPANY} deposits of ${BID_BYTES} bytes (sealed by the client, 3 requests each)`);
for (let r = 1; r <= ROUNDS; r++) {
  const d = await depositRound(await publish(), false);
  const o = await depositRound(await publish(), true);
  const c = await ceilingRound();
  const show = (x) => `${x.rate.toFixed(0)}/s (p50 ${x.p50.toFixed(0)} ms, p99 ${x.p99.toFixed(0)} ms, receipts ${x.receipts}, stored ${x.stored})`;
  console.log(`round ${r}: chunked ${show(d)} | one request ${show(o)} | 1 MB POST ceiling ${c.rate.toFixed(0)}/s `
    + `(p99 ${c.p99.toFixed(0)} ms) | ratios ${(100 * d.rate / c.rate).toFixed(0)}%, ${(100 * o.rate / c.rate).toFixed(0)}%`);
  assert.equal(d.stored, d.receipts, 'an acknowledged deposit is missing');
  assert.equal(o.stored, o.receipts, 'an acknowledged deposit is missing');
}
const rss = spawnSync('awk', ['/VmHWM/ {printf "%.0f MB", $2/1024}', `/proc/${server.pid}/status`], { encoding: 'utf8' }).stdout;
console.log(`server peak resident memory: ${rss}`);
server.kill('SIGTERM');
await new Promise((r) => server.on('exit', r));
rmSync(work, { recursive: true, force: true });
