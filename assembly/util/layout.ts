// Where the host may start laying out memory: past the module's static data (memory.data
// tables). The host arena begins at the first 16-byte boundary at or above this.
export function heap_base(): usize {
  return __heap_base;
}
