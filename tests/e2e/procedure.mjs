// Shared set-up of the procedure tests: accounts made with the CLI, an HTTP
// client that remembers every body, valid SIRETs, deposits (docs/tenders.md).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import sodium from 'libsodium-wrappers';
import { BIN, SOURCE_DIR } from './harness.mjs';

export const PASSWORD = 'un mot de passe solide';
export const seal = await import(path.join(SOURCE_DIR, 'src/web/static/seal.js'));
await sodium.ready;
export { sodium };

// A SIRET whose Luhn check holds: `prefix` (13 digits) and its check digit.
export function siret(prefix) {
  assert.equal(prefix.length, 13);
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

// Creates a user with `limpide account add` (the server may be running: the store is shared).
export function addAccount(dataDir, { email, name, org = '', orgName = '', role }) {
  const passwordFile = path.join(dataDir, `password-${email}`);
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  const args = ['account', 'add', '--data-dir', dataDir, '--email', email, '--name', name,
    '--role', role, '--password-file', passwordFile];
  if (org) args.push('--org', org, '--org-name', orgName);
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
}

// An HTTP client of `base`; `log` collects every response text.
export function client(base, log = []) {
  return async function call(method, route, { json, body, type, token, headers = {} } = {}) {
    const h = { ...headers };
    if (json !== undefined) {
      h['content-type'] = type ?? 'application/json';
      body = JSON.stringify(json);
    } else if (type) {
      h['content-type'] = type;
    }
    if (token) h.authorization = `Bearer ${token}`;
    const r = await fetch(`${base}${route}`, { method, headers: h, body });
    const buf = Buffer.from(await r.arrayBuffer());
    const text = buf.toString('utf8');
    log.push(text);
    let parsed = null;
    try { parsed = JSON.parse(text); } catch { parsed = text; }
    return { status: r.status, headers: r.headers, body: parsed, text, bytes: buf };
  };
}

export async function login(call, email) {
  const r = await call('POST', '/api/v1/session', { json: { email, password: PASSWORD } });
  assert.equal(r.status, 201, r.text);
  return r.body.token;
}

// A consultation draft as a buyer posts it (procédure adaptée: no legal minimum period).
export function draft({ deadline, title = 'Travaux d\'élagage des arbres du parc municipal' } = {}) {
  return {
    reference: 'E2E-001',
    title,
    description: 'Élagage et abattage de 120 arbres',
    procedure: 'procedure_adaptee',
    nature: 'marche',
    cpv: '77211400-6',
    place: { code: '35', type: 'Code département' },
    estimatedValue: 50000,
    criteria: [{ name: 'Prix', weight: 60 }, { name: 'Valeur technique', weight: 40 }],
    maxDocumentBytes: 4 * 1024 * 1024,
    deadline,
  };
}

// Deposits `files` ({name, bytes: Buffer, sealed}) for `tender` and returns the signed receipt.
// Sealed documents are sealed here, chunk by chunk, with the consultation's public key.
export async function deposit(call, token, tender, files) {
  const start = await call('POST', `/api/v1/tenders/${tender.id}/deposits`, {
    token,
    json: { documents: files.map((f) => ({ name: f.name, size: f.bytes.length, sealed: f.sealed })) },
  });
  assert.equal(start.status, 201, start.text);
  const d = start.body;
  const publicKey = seal.publicKeyFromBase64(sodium, tender.opening_public_key);
  for (const [i, f] of files.entries()) {
    const chunks = [];
    if (f.sealed) {
      chunks.push(...seal.sealDocument(sodium, publicKey, new Uint8Array(f.bytes)));
    } else {
      for (let at = 0; ; at += seal.SEAL_CHUNK_BYTES) {
        chunks.push(f.bytes.subarray(at, Math.min(at + seal.SEAL_CHUNK_BYTES, f.bytes.length)));
        if (f.bytes.length - at < seal.SEAL_CHUNK_BYTES) break;
      }
    }
    assert.equal(chunks.length, d.documents[i].chunk_count);
    for (const [k, c] of chunks.entries()) {
      const put = await call('PUT', `/api/v1/tenders/${tender.id}/deposits/${d.id}/documents/${i}/chunks/${k}`,
        { token, type: 'application/octet-stream', body: c });
      assert.equal(put.status, 200, put.text);
    }
  }
  const done = await call('POST', `/api/v1/tenders/${tender.id}/deposits/${d.id}/complete`, { token });
  assert.equal(done.status, 200, done.text);
  return { deposit: d, receipt: done.body };
}
