// Writes the wire contract's message reference into README.md, between its markers.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONTRACT_BEGIN, CONTRACT_END, renderContract } from '../src/index.js';

const readme = fileURLToPath(new URL('../../../README.md', import.meta.url));
const text = readFileSync(readme, 'utf8');
const start = text.indexOf(CONTRACT_BEGIN);
const end = text.indexOf(CONTRACT_END);
if (start === -1 || end === -1) throw new Error(`README.md lacks the markers ${CONTRACT_BEGIN} ... ${CONTRACT_END}`);
writeFileSync(readme, text.slice(0, start) + renderContract() + text.slice(end + CONTRACT_END.length));
console.log('README.md wire contract updated');
