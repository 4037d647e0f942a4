// Writes the settings table into README.md, between its markers, from the settings schemas.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SETTINGS_BEGIN, SETTINGS_END } from '@jetsaga/messaging/ops';
import { renderSettingsDoc } from '../src/settings.js';

const readme = fileURLToPath(new URL('../../../README.md', import.meta.url));
const text = readFileSync(readme, 'utf8');
const start = text.indexOf(SETTINGS_BEGIN);
const end = text.indexOf(SETTINGS_END);
if (start === -1 || end === -1) throw new Error(`README.md lacks the markers ${SETTINGS_BEGIN} ... ${SETTINGS_END}`);
writeFileSync(readme, text.slice(0, start) + renderSettingsDoc() + text.slice(end + SETTINGS_END.length));
console.log('README.md settings table updated');
