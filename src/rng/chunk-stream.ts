/**
 * The engine's per-chunk random streams (version 3): two interleaved xoshiro256+ generators
 * (run as the two lanes of the WebAssembly kernels) and a third, scalar one for the rare
 * ziggurat rejections, whose 768-bit state is hashed from (seed, chunk index) by Philox4x32-10.
 *
 * Why not Philox all the way: in JavaScript and WebAssembly without wide SIMD a Philox round
 * costs ~25 ns per double here, more than all the rest of a sample; xoshiro256+ costs under
 * 1 ns. Philox keeps what matters: the stream of chunk c is a function of (seed, c) only, and
 * its starting state is a cryptographic-quality hash of them, so streams of different chunks
 * behave as independent (checked by interleaved-stream tests).
 *
 * @packageDocumentation
 */
import { PhiloxStream } from './philox.js';

/**
 * Identifies this definition of the engine's streams and draws; results and checkpoints record
 * it, and a checkpoint of another version is refused. v3: temperatures other than 1/n draw
 * log E directly (two-sided ziggurat) and form the weights in base 2 with a table-driven 2^t.
 */
export const ENGINE_STREAM_VERSION = 'xoshiro256plus-x2+spare/philox4x32-10-seeded/ziggurat-exp+log-exp/v3';

/** Bytes of one chunk's generator state: 4 words x 2 lanes, then 4 words of the spare stream, 64 bits each. */
export const STREAM_STATE_BYTES = 96;
/** 32-bit words of the state. */
export const STREAM_STATE_WORDS = STREAM_STATE_BYTES / 4;

/**
 * Writes the starting state of chunk `chunk`'s streams: words s0..s3 of lane 0 and lane 1, as
 * little-endian 64-bit integers in the order `s0[lane0], s0[lane1], s1[lane0], ...`, then
 * s0..s3 of the spare stream.
 *
 * @param seed - the job seed (non-negative safe integer).
 * @param chunk - the chunk index (non-negative safe integer).
 * @param out - 24 words (96 bytes), little-endian 32-bit halves.
 */
export function seedChunkStream(seed: number, chunk: number, out: Uint32Array): void {
  const p = new PhiloxStream(seed, chunk);
  for (let i = 0; i < STREAM_STATE_WORDS; i++) out[i] = p.nextUint32();
  // xoshiro must not start from an all-zero state (it would stay zero); probability 2^-256.
  for (let lane = 0; lane < 2; lane++) {
    let zero = true;
    for (let w = 0; w < 4; w++) if (out[w * 4 + lane * 2] !== 0 || out[w * 4 + lane * 2 + 1] !== 0) zero = false;
    if (zero) out[lane * 2] = 1;
  }
  let spareZero = true;
  for (let i = 16; i < 24; i++) if (out[i] !== 0) spareZero = false;
  if (spareZero) out[16] = 1;
}
