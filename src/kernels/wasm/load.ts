/**
 * Loads the compiled WebAssembly kernels (built by `npm run build` next to this module). The
 * module is small, so it is compiled synchronously, once per thread; each `Arena` (`arena.ts`) gets an
 * instance (and so a memory) of its own.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { Rule, RuntimeError, bug } from '../../errors.js';
import { builtFile } from '../../package-files.js';

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
  mtFillUniform(st: number, out: number, n: number): void;
  mtRegionBytes(): number;
  mtConcreteRows(
    st: number,
    n: number,
    K: number,
    b0: number,
    B: number,
    logits: number,
    tau: number,
    x: number,
    y: number,
  ): void;
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

/** The module, where the build puts it (found from the package root, so the sources find it too). */
const WASM_FILE = builtFile('src/kernels/wasm/relaxed-kernels.wasm');
let compiled: WebAssembly.Module | null = null;
let shared: KernelExports | null = null;

/**
 * @returns this thread's compiled kernels.
 * @throws RuntimeError naming the file when it is missing (the package was not built).
 */
function kernelModule(): WebAssembly.Module {
  if (compiled !== null) return compiled;
  let bytes: Buffer;
  try {
    bytes = readFileSync(WASM_FILE);
  } catch (err) {
    throw new RuntimeError(
      `relaxed-mc: cannot read the WebAssembly kernels at ${WASM_FILE.pathname} (run npm run build): ${(err as Error).message}`,
      { argument: 'relaxed-kernels.wasm', rule: Rule.built, cause: err },
    );
  }
  compiled = new WebAssembly.Module(bytes);
  return compiled;
}

/**
 * @returns a new instance of the kernels, with a memory of its own.
 * @throws RuntimeError naming the file when it is missing (the package was not built).
 */
export function instantiateKernels(): KernelExports {
  const instance = new WebAssembly.Instance(kernelModule(), {
    env: {
      abort: () => {
        bug('a WebAssembly kernel aborted');
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}

/**
 * One instance per thread for callers that manage its memory themselves (tests and
 * benchmarks of the raw kernels); the library's own entry points each use an `Arena`.
 *
 * @returns this thread's shared instance of the kernels.
 */
export function kernelExports(): KernelExports {
  shared ??= instantiateKernels();
  return shared;
}
