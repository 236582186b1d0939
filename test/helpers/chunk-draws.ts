/**
 * Raw draws of one chunk's stream, straight from the WebAssembly samplers (the engine's xoshiro
 * lanes seeded by Philox(seed, chunk)), for the stream and kernel tests.
 */
import { kernelExports } from '../../src/kernels/wasm/load.js';
import { Arena } from '../../src/kernels/wasm/arena.js';
import { STREAM_STATE_BYTES, STREAM_STATE_WORDS, seedChunkStream } from '../../src/rng/chunk-stream.js';

/** What {@link chunkDraws} draws. */
export type DrawKind = 'uniform' | 'exponential' | 'log-exponential';

/**
 * @param kind - uniforms in (0, 1), Exp(1) draws, or log E with E ~ Exp(1).
 * @param seed - job seed.
 * @param chunk - chunk index.
 * @param n - draws (even).
 * @returns the first n draws of the chunk's stream.
 */
export function chunkDraws(kind: DrawKind, seed: number, chunk: number, n: number): Float64Array {
  const k = kernelExports();
  const a = new Arena(k);
  try {
    const st = a.alloc(STREAM_STATE_BYTES);
    const out = a.alloc(n * 8);
    const rej = a.alloc(n * 8);
    const words = new Uint32Array(STREAM_STATE_WORDS);
    seedChunkStream(seed, chunk, words);
    new Uint32Array(k.memory.buffer, st, STREAM_STATE_WORDS).set(words);
    if (kind === 'uniform') k.fillUniform(st, out, n / 2);
    else if (kind === 'exponential') k.fillExponential(st, out, n / 2, rej);
    else k.fillLogExponential(st, out, n / 2, rej);
    return a.f64(out, n).slice();
  } finally {
    a.release();
  }
}
