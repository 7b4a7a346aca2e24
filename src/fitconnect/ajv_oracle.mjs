// Test oracle for schema_oracle_test: validates each line of a JSONL file
// ({"v": version, "doc": instance}) against the metadata schema of that
// version with Ajv2020 and prints "valid" / "invalid" per line.
// Usage: node ajv_oracle.mjs NODE_MODULES_DIR SCHEMAS_DIR CASES.jsonl
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [modules, schemas, cases] = process.argv.slice(2);
const require = createRequire(path.join(modules, 'noop.js'));
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

// valijson asserts date, time and date-time; other formats are annotations.
const ajv = new Ajv2020({ strict: false, allErrors: true, multipleOfPrecision: 9 });
addFormats(ajv, ['date', 'time', 'date-time']);
for (const f of ['uri', 'email', 'uuid']) ajv.addFormat(f, true);

const validators = {};
for (const line of readFileSync(cases, 'utf8').trim().split('\n')) {
  const c = JSON.parse(line);
  validators[c.v] ??= ajv.compile(JSON.parse(readFileSync(
      path.join(schemas, `metadata-${c.v}.schema.json`), 'utf8')));
  console.log(validators[c.v](c.doc) ? 'valid' : 'invalid');
}
