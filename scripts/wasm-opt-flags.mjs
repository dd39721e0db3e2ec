// The wasm-opt pass over asc's release output, shared by scripts/build.mjs and the kernel probes
// that rebuild the release kernel (bench/lib/kernel-build.mjs): one list, so a probe's
// "unchanged" build stays byte-identical to the shipped one.
// wasm-opt runs on asc's output again because asc's own -O3 leaves SIMD loops that binaryen's
// standalone pipeline still shrinks (and it needs --enable-simd to accept them at all).
export const WASM_OPT_FLAGS = ['-O3', '--enable-simd', '--enable-bulk-memory', '--enable-sign-ext',
  '--enable-nontrapping-float-to-int', '--enable-mutable-globals'];
