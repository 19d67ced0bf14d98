#!/usr/bin/env node
// The `nxforge` command. The code it runs is compiled from src/ by `npm run build` (npm start does it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('NxForge is not built yet: run `npm run build` (npm start builds it for you).');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
