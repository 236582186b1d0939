/**
 * Tables of the 256-layer ziggurat for Exp(1) (Marsaglia and Tsang, "The ziggurat method for
 * generating random variables", J. Stat. Softw. 5(8), 2000), used by the WebAssembly draw
 * kernels.
 *
 * Layer i >= 1 is the rectangle [0, x_i] x [f(x_i), f(x_{i+1})] with f(x) = exp(-x); every layer
 * and the base (the rectangle [0, r] x [0, f(r)] plus the tail beyond r) has the same area v,
 * so a uniformly chosen layer and a uniform point across its width sample the region under f.
 * x_0 = v / f(r) is the base's equivalent width, x_1 = r, x_{i+1} = f^-1(v / x_i + f(x_i)).
 *
 * @packageDocumentation
 */

/** Right edge of the base layer for 256 layers (Marsaglia and Tsang). */
export const ZIGGURAT_R = 7.69711747013104972;
/** Area of each layer for 256 layers (Marsaglia and Tsang). */
export const ZIGGURAT_V = 0.0039496598225815571993;
/** Doubles in the tables: X[0..256] then F[0..256]. */
export const ZIGGURAT_DOUBLES = 2 * 257;

/**
 * @returns the layer edges X[0..256] (X[256] = 0) followed by F[i] = exp(-X[i]), as the
 *   kernels read them. Math.exp and Math.log are V8's software (fdlibm) versions, so the
 *   tables are the same on every machine.
 */
export function zigguratTables(): Float64Array {
  const t = new Float64Array(ZIGGURAT_DOUBLES);
  const X = t.subarray(0, 257);
  const F = t.subarray(257);
  X[0] = ZIGGURAT_V / Math.exp(-ZIGGURAT_R);
  X[1] = ZIGGURAT_R;
  for (let i = 1; i < 255; i++) X[i + 1] = -Math.log(ZIGGURAT_V / X[i] + Math.exp(-X[i]));
  X[256] = 0;
  for (let i = 0; i < 257; i++) F[i] = Math.exp(-X[i]);
  return t;
}
