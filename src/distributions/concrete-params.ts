/**
 * Parameters of the Concrete family: checked once at construction, normalised as PyTorch
 * normalises them, and laid out one row per batch element for the kernels.
 *
 * @packageDocumentation
 */
import { Rule, TypeError, ValueError, bug } from '../errors.js';
import { type TensorLike, tensor } from '../tensor/create.js';
import { formatShape, numelOf, tryBroadcastShapes } from '../tensor/shape.js';
import { Tensor, broadcastTo } from '../tensor/tensor.js';
import { positive, real_vector, simplex } from './constraints.js';

/** float64 machine epsilon: PyTorch clamps probabilities to `[EPS, 1 - EPS]` before the log. */
const EPS = 2 ** -52;

/** Constructor options shared by `ExpRelaxedCategorical` and `RelaxedOneHotCategorical`. */
export interface ConcreteOptions {
  /** Event probabilities (last dimension), normalised by their sum. */
  probs?: TensorLike;
  /** Event log-weights (last dimension), normalised by their log-sum-exp. */
  logits?: TensorLike;
  /** Check parameter values (and `log_prob`'s support); shape and temperature checks always run. */
  validate_args?: boolean;
}

/** Validated, normalised parameters plus their per-batch-element layout. */
export interface ConcreteParams {
  /** Number of categories. */
  readonly K: number;
  /** `broadcast(temperature.shape, param.shape[:-1])`. */
  readonly batchShape: number[];
  /** The temperature as given (a number becomes a 0-d tensor). */
  readonly temperature: Tensor;
  /** Normalised logits, in the parameter's own shape. */
  readonly logits: Tensor;
  /** Normalised probabilities when they were given, else null (derived on demand). */
  readonly probs: Tensor | null;
  /** `numel(batchShape) * K` logits, one row per batch element. */
  readonly rowLogits: Float64Array;
  /** `numel(batchShape)` temperatures, one per batch element. */
  readonly rowTemperature: Float64Array;
  /** The tensors the parameters were built from, for gradients (absent when built from rows). */
  readonly source?: ConcreteSource;
}

/** The user's tensors behind the parameters: gradients flow back to these very tensors. */
export interface ConcreteSource {
  /** The probs or logits tensor as passed (null when it was not a Tensor). */
  readonly param: Tensor | null;
  /** Whether `param` holds probabilities. */
  readonly isProbs: boolean;
  /** A copy of the parameter's values at construction (before normalisation). */
  readonly raw: Tensor;
  /** The temperature tensor as passed (null for a number or nested arrays). */
  readonly temperature: Tensor | null;
}

/**
 * Checks and normalises constructor arguments.
 *
 * Always checked (whatever `validate_args`): exactly one of probs/logits; a parameter of at
 * least one dimension with K >= 1; a finite positive temperature whose shape broadcasts with
 * the parameter's batch shape. With `validate_args`: the parameter values (probs finite and
 * non-negative with a positive sum, checked before normalising so all-negative rows are not
 * silently flipped; logits free of NaN and +Infinity, not all -Infinity in a row).
 *
 * @param temperature - a number or a batch-shaped tensor.
 * @param options - probs or logits, and validate_args.
 * @param validate - the resolved validation flag.
 * @param distName - the distribution's name for messages.
 * @returns the parameters.
 */
export function buildConcreteParams(
  temperature: TensorLike,
  options: ConcreteOptions,
  validate: boolean,
  distName: string,
): ConcreteParams {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${distName}: options must be an object with probs or logits, but got ${String(options)}.`, {
      argument: 'options',
      rule: Rule.object,
    });
  }
  const hasProbs = options.probs !== undefined && options.probs !== null;
  const hasLogits = options.logits !== undefined && options.logits !== null;
  if (hasProbs === hasLogits) {
    throw new ValueError('Either `probs` or `logits` must be specified, but not both.', {
      argument: 'probs',
      rule: Rule.exclusive,
    });
  }
  const name = hasProbs ? 'probs' : 'logits';
  const raw = tensor((hasProbs ? options.probs : options.logits) as TensorLike, name);
  if (raw.dim() < 1) {
    throw new ValueError(`\`${name}\` parameter must be at least one-dimensional.`, {
      argument: name,
      rule: Rule.dimensions,
    });
  }
  const K = raw.shape[raw.shape.length - 1];
  const temp = tensor(temperature, 'temperature');
  const repr = `${distName}(temperature: ${formatShape(temp.shape)}, ${name}: ${formatShape(raw.shape)})`;
  if (K === 0) {
    throw new ValueError(
      `Expected parameter ${name} (Tensor of shape ${formatShape(raw.shape)}) of distribution ${repr} to satisfy the constraint ` +
        `${hasProbs ? simplex : real_vector}, but found invalid values: the last (category) dimension is empty; K must be at least 1.`,
      { argument: name, rule: Rule.nonEmpty },
    );
  }
  for (let i = 0; i < temp.data.length; i++) {
    const t = temp.data[i];
    if (!(t > 0) || t === Infinity) {
      throw new ValueError(
        `Expected parameter temperature (Tensor of shape ${formatShape(temp.shape)}) of distribution ${repr} to satisfy the constraint ` +
          `${positive} and be finite, but found invalid values:\n${temp}`,
        { argument: 'temperature', rule: Rule.positive },
      );
    }
  }
  const paramBatch = raw.shape.slice(0, -1);
  const batchShape = tryBroadcastShapes(temp.shape, paramBatch);
  if (batchShape === null) {
    throw new ValueError(
      `temperature of shape ${formatShape(temp.shape)} is not broadcastable with the batch shape ${formatShape(paramBatch)} of ${name} ` +
        `(shape ${formatShape(raw.shape)}): temperature is batch-shaped, one value per batch element.`,
      { argument: 'temperature', rule: Rule.broadcastable },
    );
  }
  if (validate) checkParamValues(raw, hasProbs, repr);

  const rows = raw.data.length / K;
  const logits = new Float64Array(raw.data.length);
  let probs: Tensor | null = null;
  if (hasProbs) {
    const p = new Float64Array(raw.data.length);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += raw.data[r * K + k];
      for (let k = 0; k < K; k++) {
        const q = raw.data[r * K + k] / s;
        p[r * K + k] = q;
        logits[r * K + k] = Math.log(q < EPS ? EPS : q > 1 - EPS ? 1 - EPS : q);
      }
    }
    probs = new Tensor(p, raw.shape);
    if (validate) checkSimplex(probs, repr);
  } else {
    normalizeLogitRows(raw.data, rows, K, logits);
  }
  const logitsT = new Tensor(logits, raw.shape);
  const bn = numelOf(batchShape);
  const rowLogits = sameShape(paramBatch, batchShape) ? logits : broadcastTo(logitsT, [...batchShape, K]);
  const rowTemperature = sameShape(temp.shape, batchShape) ? temp.data.slice() : broadcastTo(temp, batchShape);
  if (rowTemperature.length !== bn) bug('temperature layout');
  const given = hasProbs ? options.probs : options.logits;
  const source: ConcreteSource = {
    param: given instanceof Tensor ? given : null,
    isProbs: hasProbs,
    raw,
    temperature: temperature instanceof Tensor ? temperature : null,
  };
  return { K, batchShape, temperature: temp, logits: logitsT, probs, rowLogits, rowTemperature, source };
}

/**
 * The same parameters broadcast to a larger batch shape (no re-validation).
 *
 * @param p - existing parameters.
 * @param batchShape - the new batch shape; the old one must broadcast to it.
 * @returns expanded parameters (temperature and probs/logits all expanded).
 */
export function expandConcreteParams(p: ConcreteParams, batchShape: number[]): ConcreteParams {
  const K = p.K;
  const old = new Tensor(p.rowLogits, [...p.batchShape, K]);
  const rowLogits = broadcastTo(old, [...batchShape, K]);
  const rowTemperature = broadcastTo(new Tensor(p.rowTemperature, p.batchShape), batchShape);
  const probs = p.probs === null ? null : new Tensor(broadcastTo(p.probs, [...batchShape, K]), [...batchShape, K]);
  return {
    K,
    batchShape,
    temperature: new Tensor(rowTemperature, batchShape),
    logits: new Tensor(rowLogits, [...batchShape, K]),
    probs,
    rowLogits,
    rowTemperature,
    source: p.source,
  };
}

/**
 * Subtracts each row's max-shifted log-sum-exp, so any additive offset (+100 or -1000) goes.
 *
 * @param src - `rows * K` logits.
 * @param rows - number of rows.
 * @param K - row length.
 * @param out - destination (may be `src`).
 */
export function normalizeLogitRows(src: Float64Array, rows: number, K: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * K;
    let m = -Infinity;
    for (let k = 0; k < K; k++) if (!(src[o + k] <= m)) m = src[o + k];
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(src[o + k] - m);
    const lse = m + Math.log(s);
    for (let k = 0; k < K; k++) out[o + k] = src[o + k] - lse;
  }
}

function checkParamValues(raw: Tensor, isProbs: boolean, repr: string): void {
  const K = raw.shape[raw.shape.length - 1];
  const rows = raw.data.length / K;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    let bad = false;
    let allNegInf = true;
    for (let k = 0; k < K; k++) {
      const x = raw.data[r * K + k];
      if (isProbs) {
        if (!(x >= 0) || x === Infinity) bad = true;
        s += x;
      } else {
        if (x !== x || x === Infinity) bad = true;
        if (x !== -Infinity) allNegInf = false;
      }
    }
    if (isProbs && !(s > 0)) bad = true;
    if (!isProbs && allNegInf) bad = true;
    if (bad) {
      const rule = isProbs
        ? 'probs must be finite and non-negative, with a positive sum along the last dimension'
        : 'logits must not be NaN or +Infinity, and not all -Infinity along the last dimension';
      throw new ValueError(
        `Expected parameter ${isProbs ? 'probs' : 'logits'} (Tensor of shape ${formatShape(raw.shape)}) of distribution ${repr} ` +
          `to satisfy the constraint ${isProbs ? simplex : real_vector}, but found invalid values (${rule}):\n${raw}`,
        { argument: isProbs ? 'probs' : 'logits', rule: isProbs ? Rule.simplex : Rule.realVector },
      );
    }
  }
}

function checkSimplex(probs: Tensor, repr: string): void {
  const ok = simplex.check(probs);
  for (let i = 0; i < ok.data.length; i++) {
    if (ok.data[i] === 0) {
      throw new ValueError(
        `Expected parameter probs (Tensor of shape ${formatShape(probs.shape)}) of distribution ${repr} to satisfy the constraint ` +
          `${simplex}, but found invalid values:\n${probs}`,
        { argument: 'probs', rule: Rule.simplex },
      );
    }
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Parameters from per-batch-element rows as a job state records them, without renormalising
 * (so a distribution rebuilt from a saved job has the very bits of the original).
 *
 * @param batchShape - the batch shape.
 * @param K - categories.
 * @param rowTemperature - one temperature per batch element.
 * @param rowLogits - `numel(batchShape) * K` normalised logits.
 * @param rowProbs - the normalised probabilities when the original was built from probs, else null.
 * @returns the parameters.
 */
export function paramsFromRows(
  batchShape: readonly number[],
  K: number,
  rowTemperature: Float64Array,
  rowLogits: Float64Array,
  rowProbs: Float64Array | null,
): ConcreteParams {
  const shape = [...batchShape, K];
  return {
    K,
    batchShape: [...batchShape],
    temperature: new Tensor(rowTemperature, [...batchShape]),
    logits: new Tensor(rowLogits, shape),
    probs: rowProbs === null ? null : new Tensor(rowProbs, shape),
    rowLogits,
    rowTemperature,
  };
}

/**
 * {@link expandConcreteParams} after checking the new batch shape.
 *
 * @param p - the parameters.
 * @param batch_shape - the requested batch shape.
 * @returns the expanded parameters.
 */
export function expandConcreteParamsChecked(p: ConcreteParams, batch_shape: readonly number[]): ConcreteParams {
  if (!Array.isArray(batch_shape) || batch_shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new TypeError(`batch_shape must be an array of non-negative integers, but got ${String(batch_shape)}.`, {
      argument: 'batch_shape',
      rule: Rule.array,
    });
  }
  const to = batch_shape.slice();
  const off = to.length - p.batchShape.length;
  const ok = off >= 0 && p.batchShape.every((d, i) => d === to[i + off] || d === 1);
  if (!ok) {
    throw new ValueError(
      `expand: the batch shape ${formatShape(p.batchShape)} cannot be expanded to ${formatShape(to)} ` +
        '(each existing size must equal the new one or be 1; new dimensions go in front).',
      { argument: 'batch_shape', rule: Rule.broadcastable },
    );
  }
  return expandConcreteParams(p, to);
}

/**
 * Reads the constructor arguments in either form: `(temperature, { probs | logits,
 * validate_args }, params?)` or PyTorch's positional `(temperature, probs, logits, validate_args)`.
 *
 * @param probsOrOptions - the second argument.
 * @param logitsOrParams - the third argument.
 * @param validateArgs - the fourth argument.
 * @returns the options and, when given after an options object, pre-built parameters.
 */
export function readConcreteArgs(
  probsOrOptions: ConcreteOptions | TensorLike | null | undefined,
  logitsOrParams: TensorLike | ConcreteParams | null | undefined,
  validateArgs: boolean | undefined,
): { options: ConcreteOptions; params?: ConcreteParams } {
  const isOptions =
    probsOrOptions !== null &&
    typeof probsOrOptions === 'object' &&
    !Array.isArray(probsOrOptions) &&
    !(probsOrOptions instanceof Tensor) &&
    !(probsOrOptions instanceof Float64Array);
  if (isOptions) {
    const params = isConcreteParams(logitsOrParams) ? logitsOrParams : undefined;
    if (logitsOrParams !== undefined && params === undefined) {
      throw new TypeError('After an options object no further argument is expected: pass logits inside the options.', {
        argument: 'logits',
        rule: Rule.noExtraArgument,
      });
    }
    return { options: probsOrOptions as ConcreteOptions, params };
  }
  if (isConcreteParams(logitsOrParams)) bug('parameters need an options object.');
  return {
    options: {
      probs: (probsOrOptions ?? undefined) as TensorLike | undefined,
      logits: (logitsOrParams ?? undefined) as TensorLike | undefined,
      validate_args: validateArgs,
    },
  };
}

function isConcreteParams(v: unknown): v is ConcreteParams {
  return v !== null && typeof v === 'object' && 'rowLogits' in v && 'rowTemperature' in v;
}
