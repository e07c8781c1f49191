// Durations counted into logarithmic bins, so medians and 90th percentiles can be read from daily
// rollups without keeping every value. Bin 0 holds [0, 1 s); bin k ≥ 1 holds [1 s·r^(k−1), 1 s·r^k)
// with r = 1.1, and a bin is read as its geometric middle: a quantile comes out within 5 % of the true
// value (within half a second under one second). Histograms add and subtract bin by bin.
// In memory a histogram is a dense array of BINS counts; stored, it is its non-empty bins as 5-byte
// records (bin: 1 byte, count: 4 bytes little-endian), a few hundred bytes a cell.

const RATIO = 1.1;
const LOG_RATIO = Math.log(RATIO);
const FIRST_EDGE_MS = 1_000;
/** Bins 0…BINS−1; the last one holds everything longer (about 10^13 s: never reached). */
export const BINS = 256;

export type Histogram = Int32Array;

export const emptyHistogram = (): Histogram => new Int32Array(BINS);

export function durationBin(ms: number): number {
  if (!(ms >= FIRST_EDGE_MS)) return 0;
  const bin = 1 + Math.floor(Math.log(ms / FIRST_EDGE_MS) / LOG_RATIO);
  return Math.min(bin, BINS - 1);
}

/** The value a bin stands for: its geometric middle (half a second for bin 0). */
export function binValue(bin: number): number {
  if (bin <= 0) return FIRST_EDGE_MS / 2;
  return Math.round(FIRST_EDGE_MS * Math.pow(RATIO, bin - 0.5));
}

/** Adds `from` into `into`, `sign` times (−1 takes it out). */
export function mergeHistogram(into: Histogram, from: Histogram, sign = 1): Histogram {
  for (let i = 0; i < BINS; i++) if (from[i] !== 0) into[i]! += sign * from[i]!;
  return into;
}

/** The q-quantile (0 < q ≤ 1) by nearest rank, or null for an empty histogram. */
export function quantile(h: Histogram, q: number): number | null {
  let total = 0;
  for (let i = 0; i < BINS; i++) total += h[i]!;
  if (total <= 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < BINS; i++) {
    seen += h[i]!;
    if (seen >= rank) return binValue(i);
  }
  return null;
}

const RECORD = 5;

export function encodeHistogram(h: Histogram): Uint8Array {
  let n = 0;
  for (let i = 0; i < BINS; i++) if (h[i]! > 0) n++;
  const out = new Uint8Array(n * RECORD);
  const view = new DataView(out.buffer);
  let at = 0;
  for (let i = 0; i < BINS; i++) {
    if (h[i]! <= 0) continue;
    view.setUint8(at, i);
    view.setUint32(at + 1, h[i]!, true);
    at += RECORD;
  }
  return out;
}

/** Adds a stored histogram's counts into `into`, `sign` times (a malformed tail adds nothing). */
export function mergeEncoded(into: Histogram, encoded: Uint8Array | null | undefined, sign = 1): Histogram {
  if (!encoded || encoded.length < RECORD) return into;
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  for (let at = 0; at + RECORD <= encoded.length; at += RECORD) into[view.getUint8(at)]! += sign * view.getUint32(at + 1, true);
  return into;
}
