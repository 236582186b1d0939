/**
 * Loads the compiled WebAssembly kernels (built by `npm run build` next to this module),
 * once per thread. The module is small, so it is compiled synchronously; each thread gets its
 * own instance and memory.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';

/** The functions the module exports (pointers are byte offsets into its memory). */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  setZigguratTables(p: number): void;
  setLogZigguratTables(p: number): void;
  fillExponential(st: number, out: number, pairs: number, rej: number): void;
  fillLogExponential(st: number, out: number, pairs: number, rej: number): void;
  fillUniform(st: number, out: number, pairs: number): void;
  sampleRows(
    st: number,
    n: number,
    Kp: number,
    b0: number,
    B: number,
    coef: number,
    wts: number,
    out: number,
    flags: number,
    rej: number,
  ): void;
  sampleRowsKeepLog(
    st: number,
    n: number,
    Kp: number,
    b0: number,
    B: number,
    coef: number,
    wts: number,
    out: number,
    flags: number,
    rej: number,
    xout: number,
  ): void;
  momentRows(
    st: number,
    n: number,
    Kp: number,
    b0: number,
    B: number,
    coef: number,
    wts: number,
    shift: number,
    sums: number,
    buf: number,
    flags: number,
    rej: number,
  ): void;
  accumulatePowers(n: number, Kp: number, b0: number, B: number, shift: number, sums: number, buf: number): void;
  logProbRows(
    n: number,
    K: number,
    Kp: number,
    b0: number,
    B: number,
    logits: number,
    tau: number,
    cst: number,
    values: number,
    logSpace: number,
    jac: number,
    scratch: number,
    out: number,
  ): void;
  mtFillGumbel(st: number, out: number, n: number): void;
  concreteFromGumbel(
    n: number,
    K: number,
    b0: number,
    B: number,
    logits: number,
    tau: number,
    x: number,
    y: number,
  ): void;
  stdlibArray(which: number, p: number, n: number): void;
  exp2NonPositiveArray(p: number, n: number): void;
  expArray(p: number, n: number): void;
  logArray(p: number, n: number): void;
}

const WASM_FILE = new URL('./relaxed-kernels.wasm', import.meta.url);
let cached: KernelExports | null = null;

/**
 * @returns this thread's instance of the kernels.
 * @throws Error naming the file when it is missing (the package was not built).
 */
export function kernelExports(): KernelExports {
  if (cached !== null) return cached;
  let bytes: Buffer;
  try {
    bytes = readFileSync(WASM_FILE);
  } catch (err) {
    throw new Error(
      `relaxed-mc: cannot read the WebAssembly kernels at ${WASM_FILE.pathname} (run npm run build): ${(err as Error).message}`,
    );
  }
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: {
      abort: () => {
        throw new Error('relaxed-mc: WebAssembly kernel aborted');
      },
    },
  });
  cached = instance.exports as unknown as KernelExports;
  return cached;
}
