// Starts the real limpide binary for end-to-end tests: port 0, temporary data
// directory, killed at the end. Paths come from the environment set by CTest.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

export const BIN = process.env.LIMPIDE_BIN;
export const SOURCE_DIR = process.env.LIMPIDE_SOURCE_DIR;
export const SHARED = process.env.LIMPIDE_SHARED_DATA;
if (!BIN || !SOURCE_DIR || !SHARED) {
  throw new Error('LIMPIDE_BIN, LIMPIDE_SOURCE_DIR and LIMPIDE_SHARED_DATA must be set (run through ctest)');
}

export const REAL_FILES = [
  path.join(SHARED, 'decp/real-2019-decp-rama/marches-publics.info.json'),
  path.join(SHARED, 'decp/real-2019-decp-rama/data.gouv.fr_aife.json'),
];
export const EXAMPLES_2 = [
  'json/marches_avec_modifications.json', 'json/marches_concessions.json', 'json/concessions.json',
  'json/concessions_avec_modifications.json', 'xml/Marche.xml', 'xml/Contrat-concession.xml',
  'xml/Contrat-concession-modification.xml',
].map((f) => path.join(SHARED, 'decp/examples-2.0', f));

export function tempDir(prefix = 'limpide-e2e-') {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

// Runs `limpide import` synchronously; returns {status, stdout, stderr, json}.
export function runImport(dataDir, files, extra = []) {
  const r = spawnSync(BIN, ['import', '--data-dir', dataDir, '--json', ...extra, ...files], {
    encoding: 'utf8', timeout: 300_000,
  });
  let json = null;
  try { json = JSON.parse(r.stdout); } catch { /* left null: the test says so */ }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

// Starts `limpide serve` and resolves once it prints its listening line.
export async function startServer({ dataDir = tempDir(), args = [], env = {} } = {}) {
  const child = spawn(BIN, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0',
    '--no-access-log', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 120 s: ${stderr}`)), 120_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^/\s]+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  const stop = async () => {
    if (child.exitCode !== null) return child.exitCode;
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    child.kill('SIGTERM');
    const code = await exited;
    return code;
  };
  return { base, child, dataDir, stop, stderr: () => stderr, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

// A loopback port free at the time of the call (for a sink the test starts).
export async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

// Debian's aiosmtpd on loopback, writing every mail into a Maildir; with
// `tls` ({cert, key}) it demands STARTTLS before any mail, and with `auth`
// too ({user, password}) AUTH after it (fixtures/smtp_auth_sink.py). Returns
// {port, mails(): the raw mails so far, stop()}.
export async function startSmtpSink({ tls, auth } = {}) {
  const maildir = path.join(tempDir('limpide-mail-'), 'mail');
  const port = await freePort();
  let args = ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir];
  if (tls) args.push('--tlscert', tls.cert, '--tlskey', tls.key);
  if (auth) {
    args = [path.join(SOURCE_DIR, 'tests/e2e/fixtures/smtp_auth_sink.py'), String(port), maildir,
      tls.cert, tls.key, auth.user, auth.password];
  }
  const child = spawn('/usr/bin/python3', args, { stdio: 'ignore' });
  await until('the SMTP sink', () => new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  }));
  const mails = () => {
    let names = [];
    try { names = readdirSync(path.join(maildir, 'new')); } catch { return []; }
    return names.map((n) => readFileSync(path.join(maildir, 'new', n), 'utf8'));
  };
  return { port, mails, stop: () => child.kill('SIGTERM') };
}

// Polls `fn` every 100 ms until it returns something truthy, which it
// returns; throws after `ms` naming `what`.
export async function until(what, fn, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function getJson(url, init) {
  const r = await fetch(url, init);
  const text = await r.text();
  let body = null;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: r.status, headers: r.headers, body };
}

// The files of data/demo (the bundled real data set) copied into `dir`, the
// .gz ones unpacked; returns their paths in name order.
export function demoFiles(dir) {
  const demo = path.join(SOURCE_DIR, 'data/demo');
  const out = [];
  for (const name of readdirSync(demo).sort()) {
    const from = path.join(demo, name);
    if (name.endsWith('.gz')) {
      const to = path.join(dir, name.slice(0, -3));
      writeFileSync(to, gunzipSync(readFileSync(from)));
      out.push(to);
    } else if (name.endsWith('.json') || name.endsWith('.xml')) {
      const to = path.join(dir, name);
      copyFileSync(from, to);
      out.push(to);
    }
  }
  return out;
}
