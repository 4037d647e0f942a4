// Writes one JSON Schema file per message version: <out>/<Type>.v<version>.schema.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allJsonSchemas } from '../src/index.js';

const out = resolve(process.argv[2] ?? 'schemas');
mkdirSync(out, { recursive: true });
const schemas = allJsonSchemas();
for (const [name, schema] of Object.entries(schemas)) {
  writeFileSync(join(out, `${name}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
}
console.log(`${Object.keys(schemas).length} JSON Schemas written to ${out}`);
