#!/usr/bin/env node
/** The package's `dbos-edge` command (built to dist/cli/dbos-edge.js; in this repository run it through tsx). */
import { run } from './main.ts';

process.exitCode = await run(process.argv.slice(2), process);
