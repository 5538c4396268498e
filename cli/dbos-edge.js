#!/usr/bin/env node
// The `dbos-edge` bin: loads the TypeScript entry through tsx, as `npm start` does, and exits with its code.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('./main.ts');
process.exitCode = await run(process.argv.slice(2), process);
