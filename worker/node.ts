#!/usr/bin/env node
/** `npm start` and the package's `dbos-edge` command: the HTTP service on Node (see worker/serve-node.ts). */
import { serveOnNode } from './serve-node.ts';

await serveOnNode(process.env);
