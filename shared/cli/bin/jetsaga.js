#!/usr/bin/env node
// The CLI is TypeScript run as it is: register tsx, then load it.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
