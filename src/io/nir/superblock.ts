// The HDF5 superblock's end-of-file address, read before the file reaches HDF5.
//
// Why: a truncated file (a partial download, a copy cut short) is the most common damaged NIR
// file. HDF5 detects it when it opens the file, but h5wasm then prints HDF5's whole error stack
// to the console and hands back a file object whose groups are simply missing, so the caller
// would see "node: missing" and a page of diagnostics instead of the reason. The superblock
// records where the file's data ends; comparing it with the length we were given names the
// problem exactly, and HDF5 never sees the file.
//
// Layout (HDF5 File Format Specification 3.0, section II.A), offsets from the signature:
//   versions 0 and 1: 8 version, 13 size of offsets; v0 then has 4 bytes of node K values and
//     4 of consistency flags from 16, v1 4 more (indexed storage K, reserved), then the base
//     address, the free-space address, the end-of-file address (one "size of offsets" each);
//   versions 2 and 3: 8 version, 9 size of offsets, 12 base address, then the superblock
//     extension address and the end-of-file address.

/** Where the superblock at `at` says the file's data ends, or undefined if it cannot tell. */
export function hdf5StoredEnd(bytes: Uint8Array, at: number): number | undefined {
  const version = bytes[at + 8];
  let sizeOfOffsets: number, eofAt: number;
  if (version === 0 || version === 1) {
    sizeOfOffsets = bytes[at + 13];
    eofAt = at + (version === 0 ? 24 : 28) + 2 * sizeOfOffsets;
  } else if (version === 2 || version === 3) {
    sizeOfOffsets = bytes[at + 9];
    eofAt = at + 12 + 2 * sizeOfOffsets;
  } else {
    return undefined;
  }
  if (sizeOfOffsets !== 2 && sizeOfOffsets !== 4 && sizeOfOffsets !== 8) return undefined;
  if (eofAt + sizeOfOffsets > bytes.length) return Infinity; // cut inside the superblock itself
  let end = 0;
  for (let i = sizeOfOffsets - 1; i >= 0; i--) end = end * 256 + bytes[eofAt + i]; // little-endian
  // Whether the address counts from the base address or from the start of the file, a
  // userblock (base address > 0) only makes the file longer than `end`: never a false alarm.
  return end;
}
