// Command-line flags shared by every bench: --json, --quick, --filter SUBSTRING.
// With --json, stdout carries only JSON lines (one object per figure); everything else
// (progress, warnings, the human table) goes to stderr or is suppressed.

export function parseArgs(argv = process.argv.slice(2)) {
  const opts = { json: false, quick: false, filter: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') opts.json = true;
    else if (a === '--quick') opts.quick = true;
    else if (a === '--filter') {
      if (i + 1 >= argv.length) throw new Error('--filter needs a SUBSTRING');
      opts.filter = argv[++i];
    } else if (a.startsWith('--filter=')) opts.filter = a.slice('--filter='.length);
    else if (a === '--help' || a === '-h') {
      process.stderr.write('usage: node bench/<name>.mjs [--json] [--quick] [--filter SUBSTRING]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/**
 * `--reps N` of the diagnostic probes (which take no other flags from parseArgs): a positive
 * integer, `dflt` when absent.
 */
export function repsOption(dflt, argv = process.argv.slice(2)) {
  const at = argv.indexOf('--reps');
  if (at < 0) return dflt;
  const n = Number(argv[at + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--reps: expected a positive integer, got ${argv[at + 1]}`);
  return n;
}

/** True if a figure named `name` should run under --filter. */
export function selected(opts, name) {
  return !opts.filter || name.includes(opts.filter);
}

/** Progress messages: stderr, so they never mix with --json output. */
export function log(...parts) {
  process.stderr.write(parts.join(' ') + '\n');
}

/** One JSON object per line on stdout. */
export function emitJson(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

/** Fixed-width text table. rows: arrays of strings; first row is the header. */
export function formatTable(rows, alignLeft = 1) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => r.map((v, c) => (c < alignLeft ? String(v).padEnd(widths[c]) : String(v).padStart(widths[c]))).join('  ');
  const out = [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of rows.slice(1)) out.push(line(r));
  return out.join('\n');
}

/** 3 significant figures, e.g. 0.842, 13.3, 142. */
export function fmt3(x) {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** Round to 3 significant figures for JSON output. */
export function round3(x) {
  return Number.isFinite(x) ? Number(x.toPrecision(3)) : x;
}
