// Geometry record of a 2-D convolution or pooling op, written once by the host
// (src/runtime/conv-layout.ts) as int32 words, so the kernels take one pointer instead of twenty
// scalars. Input elements are addressed through strides, which lets one kernel read both the
// network input (NIR/PyTorch [C, H, W]) and the plan's internal channels-last activations
// ([H, W, CP], CP = C padded to 16, so a pixel's channels are one contiguous SIMD row).
export const G_C: i32 = 0;       // input channels (real)
export const G_H: i32 = 1;
export const G_W: i32 = 2;
export const G_SC: i32 = 3;      // element strides of channel, row and column in the input
export const G_SY: i32 = 4;
export const G_SX: i32 = 5;
export const G_KH: i32 = 6;
export const G_KW: i32 = 7;
export const G_STRIDE_H: i32 = 8;
export const G_STRIDE_W: i32 = 9;
export const G_PAD_H: i32 = 10;
export const G_PAD_W: i32 = 11;
export const G_DIL_H: i32 = 12;
export const G_DIL_W: i32 = 13;
export const G_OH: i32 = 14;
export const G_OW: i32 = 15;
export const G_OUT_CP: i32 = 16; // output channels padded to 16 (row stride of the output)
export const G_KP: i32 = 17;     // im2col row length: kh·kw·C padded to 16
export const G_IN_SIZE: i32 = 18; // input elements per sample (padded)
export const G_CHW: i32 = 19;    // 1: input is [C, H, W]; 0: channels-last [H, W, SX]
export const G_WORDS: i32 = 20;

// @ts-ignore: decorator
@inline export function g(geom: usize, k: i32): i32 {
  return load<i32>(geom + (<usize>k << 2));
}

/** Decodes a flat input index into (c, y, x) for the layouts above. */
// @ts-ignore: decorator
@inline export function decode(geom: usize, i: i32): i64 {
  let c: i32, y: i32, x: i32;
  if (g(geom, G_CHW) != 0) {
    const hw = g(geom, G_H) * g(geom, G_W);
    c = i / hw;
    const r = i - c * hw;
    y = r / g(geom, G_W);
    x = r - y * g(geom, G_W);
  } else {
    const cs = g(geom, G_SX);
    const pos = i / cs;
    c = i - pos * cs;
    y = pos / g(geom, G_W);
    x = pos - y * g(geom, G_W);
  }
  return (<i64>c << 40) | (<i64>y << 20) | <i64>x;
}
