// Names the machine a figure was taken on: `lscpu` model name, core count, Node and V8 versions.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

let cached = null;

export function machineInfo() {
  if (cached) return cached;
  let cpu = null;
  try {
    const out = execFileSync('lscpu', { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    const m = out.match(/^Model name:\s*(.+)$/m);
    if (m) cpu = m[1].trim();
  } catch { /* no lscpu (macOS, Windows): fall back below */ }
  if (!cpu) cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  cached = {
    cpu,
    cpus: os.cpus().length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform}-${process.arch}`,
  };
  return cached;
}

/** One line, e.g. "AMD EPYC, 2 vCPUs, Node v20.20.2 (V8 11.3), linux-x64". */
export function machineLine() {
  const m = machineInfo();
  return `${m.cpu}, ${m.cpus} vCPUs, Node ${m.node} (V8 ${m.v8.split('-')[0]}), ${m.platform}`;
}

/** Short form for the JSON "machine" field. */
export function machineShort() {
  const m = machineInfo();
  return `${m.cpu}; ${m.cpus} vCPU; Node ${m.node}`;
}
