// Validates DECP 2.x files with the official validators: ajv (JSON Schema
// draft-07, schema_decp_v2.0.3.json) and xmllint (schema_decp_v2.0.2.xsd).
// Also usable from the command line:
//   node tests/e2e/decp-validate.mjs SHARED_DATA FILE.json|FILE.xml...
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function decpSchemas(shared) {
  const dir = path.join(shared, 'decp/schema-2.0');
  return { json: path.join(dir, 'schema_decp_v2.0.3.json'), xsd: path.join(dir, 'schema_decp_v2.0.2.xsd') };
}

let compiled = null;
function jsonValidator(shared) {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    compiled = ajv.compile(JSON.parse(readFileSync(decpSchemas(shared).json, 'utf8')));
  }
  return compiled;
}

// Returns the list of errors (empty when valid).
export function validateDecpJson(shared, file) {
  const validate = jsonValidator(shared);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  if (validate(doc)) return [];
  return validate.errors.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

// Returns xmllint's complaints (empty when valid).
export function validateDecpXml(shared, file) {
  const r = spawnSync('xmllint', ['--noout', '--schema', decpSchemas(shared).xsd, file], {
    encoding: 'utf8', maxBuffer: 64 << 20,
  });
  if (r.error) return [`xmllint: ${r.error.message}`];
  if (r.status === 0) return [];
  return r.stderr.split('\n').filter((l) => l && !l.endsWith(' validates'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [shared, ...files] = process.argv.slice(2);
  let bad = 0;
  for (const f of files) {
    const errors = f.endsWith('.xml') ? validateDecpXml(shared, f) : validateDecpJson(shared, f);
    console.log(`${f}: ${errors.length ? `${errors.length} error(s)` : 'valid'}`);
    for (const e of errors.slice(0, 20)) console.log(`  ${e}`);
    bad += errors.length ? 1 : 0;
  }
  process.exit(bad ? 1 : 0);
}
