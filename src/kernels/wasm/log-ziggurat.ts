/**
 * Tables of a 256-layer ziggurat for the logarithm of an Exp(1) variate, V = log E, whose
 * density f(v) = exp(v - e^v) is unimodal (mode 0, f(0) = 1/e). The draw kernels use it at
 * every temperature that is not 1/n: the Concrete weights need log E_k, and drawing it directly
 * replaces an Exp(1) draw plus a logarithm per element by one draw of about the same cost.
 *
 * ## Method
 * The ziggurat of Marsaglia and Tsang, made two-sided: levels 0 = y_0 < y_1 < ... < y_256 = 1/e;
 * at each level y the two roots L(y) < 0 < R(y) of f = y (v - e^v = ln y, found by bisection).
 * Layer i >= 1 is the rectangle [L_i, R_i] x [y_i, y_{i+1}]; layer 0 is the strip under y_1:
 * the rectangle [L_1, R_1] x [0, y_1] plus both tails, P(V < L_1) = 1 - exp(-e^{L_1}) and
 * P(V > R_1) = exp(-e^{R_1}). All 256 layers have the same area v, so a uniformly chosen layer
 * and a uniform point across it sample the region under f: inside the inner rectangle
 * [L_{i+1}, R_{i+1}] (about 98.6% of draws) x is accepted with one multiply-add and two
 * compares; otherwise a wedge test against f(x), or a tail draw (E given E < e^{L_1} by
 * inversion, E given E > e^{R_1} as e^{R_1} + Exp(1) by memorylessness, then V = log E). y_1 was
 * found by bisection so that the recursion y_{i+1} = y_i + v / (R_i - L_i) ends at exactly
 * 1/e (double precision); v follows from y_1.
 *
 * ## References
 * G. Marsaglia and W. W. Tsang, "The ziggurat method for generating random variables",
 * J. Stat. Softw. 5(8), 2000. J. A. Doornik, "An improved ziggurat method to generate normal
 * random samples", 2005 (independent bits for the layer and the uniform).
 *
 * @packageDocumentation
 */

/** The bottom level y_1 (bisection on the recursion's end point, see the header). */
export const LOG_ZIGGURAT_Y1 = 0.00034514484767242653;
/** Per layer: [start, width, inner low, inner high]; 256 layers. */
const LAYER_DOUBLES = 4 * 256;
/**
 * Doubles in the tables: the layers, the levels y_0..y_256, then [L_1, R_1, P(left), P(right),
 * e^{R_1}, unused], then per layer the wedge bounds [ln(y_{i+1} / y_i), |g'(L_{i+1})|,
 * |g'(R_{i+1})|, R_i] with g(v) = v - e^v = ln f(v) (see the kernel's slowLogExponential).
 */
export const LOG_ZIGGURAT_DOUBLES = LAYER_DOUBLES + 257 + 6 + 4 * 256;

/** The two roots of exp(v - e^v) = y, y in (0, 1/e). */
function roots(y: number): [number, number] {
  const c = Math.log(y);
  const g = (v: number) => v - Math.exp(v) - c;
  let lo = c - 1;
  let hi = 0;
  for (;;) {
    const m = lo + (hi - lo) / 2;
    if (m === lo || m === hi) break;
    if (g(m) < 0) lo = m;
    else hi = m;
  }
  const left = lo;
  lo = 0;
  hi = Math.log(1 - c) + 1;
  for (;;) {
    const m = lo + (hi - lo) / 2;
    if (m === lo || m === hi) break;
    if (g(m) > 0) lo = m;
    else hi = m;
  }
  return [left, hi];
}

/**
 * @returns the tables as the kernels read them (see {@link LOG_ZIGGURAT_DOUBLES}). Math.exp,
 *   Math.log and Math.expm1 are V8's software (fdlibm) versions, so the tables are the same on
 *   every machine.
 */
export function logZigguratTables(): Float64Array {
  const t = new Float64Array(LOG_ZIGGURAT_DOUBLES);
  const Y = t.subarray(LAYER_DOUBLES, LAYER_DOUBLES + 257);
  const extra = t.subarray(LAYER_DOUBLES + 257);
  const y1 = LOG_ZIGGURAT_Y1;
  const [L1, R1] = roots(y1);
  const left = -Math.expm1(-Math.exp(L1));
  const right = Math.exp(-Math.exp(R1));
  const v = y1 * (R1 - L1) + left + right;
  const L = new Float64Array(257);
  const R = new Float64Array(257);
  Y[0] = 0;
  Y[1] = y1;
  L[1] = L1;
  R[1] = R1;
  for (let i = 1; i < 256; i++) {
    Y[i + 1] = i === 255 ? Math.exp(-1) : Y[i] + v / (R[i] - L[i]);
    if (i < 255) [L[i + 1], R[i + 1]] = roots(Y[i + 1]);
  }
  // L_256 = R_256 = 0: the top layer has an empty inner rectangle (always the wedge test).
  t.set([L1, v / y1, L1, R1], 0);
  for (let i = 1; i < 256; i++) t.set([L[i], R[i] - L[i], L[i + 1], R[i + 1]], 4 * i);
  extra.set([L1, R1, left, right, Math.exp(R1), 0]);
  // The wedge bounds (layer 0 has none: its wedges are the tails).
  L[256] = 0;
  R[256] = 0;
  const bounds = t.subarray(LAYER_DOUBLES + 257 + 6);
  for (let i = 1; i < 256; i++)
    bounds.set(
      [Math.log(Y[i + 1] / Y[i]), Math.abs(1 - Math.exp(L[i + 1])), Math.abs(1 - Math.exp(R[i + 1])), R[i]],
      4 * i,
    );
  return t;
}
