// Spike compaction: the nonzero bytes of an activation row → the list of their indices.
// Spikes are sparse, so the SIMD scan tests 16 bytes at a time and skips all-zero blocks with
// one `v128.any_true`; inside a nonzero block the set bits of its bitmask are peeled with ctz.
// Works on spike bytes (0/1) and on int8 activations alike (any nonzero byte is an event).
// Layout: src [n] bytes, n a multiple of 16 (host pads); idx [n] int32 (worst case: all
// active). Returns the number of indices written, in increasing order.

export function compact_u8_simd(src: usize, n: i32, idx: usize): i32 {
  let count = 0;
  const zero = i8x16.splat(0);
  for (let i = 0; i < n; i += 16) {
    const v = v128.load(src + <usize>i);
    if (!v128.any_true(v)) continue;
    let m = i8x16.bitmask(i8x16.ne(v, zero));
    while (m != 0) {
      store<i32>(idx + (<usize>count << 2), i + ctz(m));
      count++;
      m &= m - 1;
    }
  }
  return count;
}

export function compact_u8_ref(src: usize, n: i32, idx: usize): i32 {
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (load<u8>(src + <usize>i) != 0) {
      store<i32>(idx + (<usize>count << 2), i);
      count++;
    }
  }
  return count;
}

/** Nonzero f32 activations → their indices (for float plans fed analog or 0/1 input).
 *  n a multiple of 4; idx [n] int32. Returns the count. */
export function compact_f32_simd(src: usize, n: i32, idx: usize): i32 {
  let count = 0;
  const zero = f32x4.splat(0);
  for (let i = 0; i < n; i += 4) {
    const m0 = f32x4.ne(v128.load(src + (<usize>i << 2)), zero);
    if (!v128.any_true(m0)) continue;
    let m = i32x4.bitmask(m0);
    while (m != 0) {
      store<i32>(idx + (<usize>count << 2), i + ctz(m));
      count++;
      m &= m - 1;
    }
  }
  return count;
}

/** Number of nonzero bytes in src [n], n a multiple of 16. */
export function count_nonzero_u8(src: usize, n: i32): i32 {
  let count = 0;
  const zero = i8x16.splat(0);
  for (let i = 0; i < n; i += 16) {
    const v = v128.load(src + <usize>i);
    if (v128.any_true(v)) count += popcnt<i32>(i8x16.bitmask(i8x16.ne(v, zero)));
  }
  return count;
}

/** Number of nonzero f32 values in src [n], n a multiple of 4. */
export function count_nonzero_f32(src: usize, n: i32): i32 {
  let count = 0;
  const zero = f32x4.splat(0);
  for (let i = 0; i < n; i += 4) {
    count += popcnt<i32>(i32x4.bitmask(f32x4.ne(v128.load(src + (<usize>i << 2)), zero)));
  }
  return count;
}
