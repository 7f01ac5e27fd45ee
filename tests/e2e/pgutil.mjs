// PostgreSQL helpers of the end-to-end tests: a fresh database per test on the
// server of LIMPIDE_TEST_POSTGRES (`./dev test` starts a throw-away cluster),
// and the binary run against it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN } from './harness.mjs';
import { PASSWORD } from './procedure.mjs';

export const ADMIN_URL = process.env.LIMPIDE_TEST_POSTGRES;
export const skipWithoutPostgres = ADMIN_URL ? false : 'LIMPIDE_TEST_POSTGRES is not set (./dev test starts a cluster)';

export function psql(url, sql) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

// A new empty database; returns {url, name, drop()}.
export function newDatabase(prefix = 'limpide_e2e') {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  psql(ADMIN_URL, `CREATE DATABASE ${name}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return { url: u.toString(), name, drop: () => psql(ADMIN_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

// Runs the binary synchronously.
export function run(args, options = {}) {
  return spawnSync(BIN, args, { encoding: 'utf8', timeout: 300_000, ...options });
}

// Creates a user with `limpide account add` against `database`.
export function addAccountTo(database, dataDir, { email, name, org = '', orgName = '', role }) {
  const passwordFile = path.join(dataDir, `password-${email}`);
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  const args = ['account', 'add', '--data-dir', dataDir, '--database', database, '--email', email,
    '--name', name, '--role', role, '--password-file', passwordFile];
  if (org) args.push('--org', org, '--org-name', orgName);
  const r = run(args);
  assert.equal(r.status, 0, r.stderr);
}

// Gives `toDir` the ledger signing key of `fromDir`: nodes of one platform sign with one key.
export function shareLedgerKey(fromDir, toDir) {
  copyFileSync(path.join(fromDir, 'ledger.key'), path.join(toDir, 'ledger.key'));
}
