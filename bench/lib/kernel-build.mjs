// Builds the release kernel from a copy of an assembly/ folder, edited first, for the kernel
// probes that time or count a variant of the shipped kernel (kernel-probe-es-stages.mjs,
// kernel-probe-es-lanes.mjs). The commands are the release build's (scripts/build.mjs), so an
// unedited copy gives the shipped bytes.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASM_OPT_FLAGS } from '../../scripts/wasm-opt-flags.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * @param {string} assemblyDir The assembly/ folder to build (this checkout's or another's).
 * @param {(copy: string) => void} [edit] Changes the copy (its assembly/ path) before the build.
 * @returns {Buffer} The optimized wasm.
 */
export function buildKernelVariant(assemblyDir, edit) {
  const dir = mkdtempSync(join(tmpdir(), 'spikelet-kernel-'));
  try {
    cpSync(assemblyDir, join(dir, 'assembly'), { recursive: true });
    cpSync(join(root, 'asconfig.json'), join(dir, 'asconfig.json'));
    edit?.(join(dir, 'assembly'));
    execFileSync(process.execPath, [join(root, 'node_modules/assemblyscript/bin/asc.js'), '--config', 'asconfig.json', '--target', 'release'],
      { cwd: dir, stdio: 'pipe' }); // asc's AS112 warnings (v128 parameters) are known; errors still throw
    const out = join(dir, 'k.wasm');
    execFileSync(join(root, 'node_modules/.bin/wasm-opt'), [join(dir, 'build/spikelet.raw.wasm'), ...WASM_OPT_FLAGS, '-o', out], { stdio: 'pipe' });
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
