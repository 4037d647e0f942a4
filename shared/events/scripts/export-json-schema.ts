// Writes one JSON Schema file per message version, <out>/<Type>.v<version>.schema.json, and per
// query request and response, <out>/queries/<query>.v<version>.request|response.schema.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allJsonSchemas, queryJsonSchemas } from '../src/index.js';

const out = resolve(process.argv[2] ?? 'schemas');
mkdirSync(out, { recursive: true });
const schemas = allJsonSchemas();
for (const [name, schema] of Object.entries(schemas)) {
  writeFileSync(join(out, `${name}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
}
const queries = queryJsonSchemas();
mkdirSync(join(out, 'queries'), { recursive: true });
for (const [name, schema] of Object.entries(queries)) {
  writeFileSync(join(out, 'queries', `${name}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
}
console.log(`${Object.keys(schemas).length} message and ${Object.keys(queries).length} query JSON Schemas written to ${out}`);
