#!/usr/bin/env node
// Runs every bench/*.mjs (except this file and kernel-probe*.mjs) one after another, each in
// its own Node process, forwarding the command line (--json, --quick, --filter ...).
// With --json, stdout is the concatenation of the benches' JSON lines; headers go to stderr.
// Exit code: 0 if every bench succeeded, else 1 (the remaining benches still run).
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs' && !f.startsWith('kernel-probe'))
  .sort();

const failed = [];
for (const f of benches) {
  process.stderr.write(`\n=== bench/${f} ${argv.join(' ')}\n`);
  const r = spawnSync(process.execPath, [join(here, f), ...argv], { stdio: 'inherit' });
  if (r.status !== 0) failed.push(`${f} (${r.signal ?? `exit ${r.status}`})`);
}
if (failed.length) {
  process.stderr.write(`\nrun-all: failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
process.stderr.write(`\nrun-all: ${benches.length} bench(es) ok\n`);
