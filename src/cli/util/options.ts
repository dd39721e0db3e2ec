// Small pieces the commands share: option parsing and the progress bar drawn on stderr.
import { SpikeletError } from '../../errors.js';
import type { ResetMode } from '../../graph/types.js';

/** Parses a number option (`--dt 1e-4`). */
export function numberOption(name: string, x: string | undefined, min = -Infinity): number | undefined {
  if (x === undefined) return undefined;
  const v = Number(x);
  if (!Number.isFinite(v) || v < min) throw new SpikeletError('invalid_param', 'cli', name, `a number >= ${min}`, x);
  return v;
}

/** Parses `--reset`. */
export function resetOption(x: string | undefined): ResetMode | undefined {
  if (x === undefined) return undefined;
  if (x !== 'zero' && x !== 'subtract') throw new SpikeletError('invalid_param', 'cli', '--reset', '"zero" or "subtract"', x);
  return x;
}

/**
 * An integer command-line option: undefined when absent, else an integer ≥ min.
 * @param command The command, for the error (`spikelet train`).
 * @param name The option without dashes.
 * @param v Its text as commander gives it.
 * @param min Smallest accepted value.
 * @throws SpikeletError naming `--name`, the value and the bound.
 */
export function intOption(command: string, name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new SpikeletError('invalid_param', command, `--${name}`, `an integer >= ${min}`, v);
  return n;
}

/** `[####....]` for done of total (total 0 counts as 1). */
export function bar(done: number, total: number, width: number): string {
  const k = Math.round((width * done) / Math.max(total, 1));
  return `[${'#'.repeat(k)}${'.'.repeat(width - k)}]`;
}
