/**
 * The shape checks of `log_prob` and the row layout its kernel runs on.
 *
 * A value of shape `V ++ [K]` against batch shape `B` gives results of shape
 * `R = broadcast(V, B)`. The kernel walks R's rows; the value rows are contiguous (the value is
 * materialised to `R ++ [K]` only when it is itself broadcast), and the parameters cycle with
 * period `numel` of R's trailing `len(B)` dimensions (materialised only when B has size-1
 * dimensions that R expands).
 *
 * @packageDocumentation
 */
import { Rule, ValueError } from '../errors.js';
import { formatShape, numelOf, shapesEqual, tryBroadcastShapes } from '../tensor/shape.js';
import { Tensor, broadcastTo } from '../tensor/tensor.js';
import { logProbConstants } from '../kernels/log-prob.js';
import type { ConcreteParams } from './concrete-params.js';

/** Inputs of {@link concreteLogProbRows} for one `log_prob` call. */
export interface LogProbPlan {
  /** Shape of the result. */
  readonly resultShape: number[];
  /** Number of result rows. */
  readonly rows: number;
  /** `rows * K` values, contiguous. */
  readonly values: Float64Array;
  /** Number of distinct parameter rows; result row r uses row `r % period`. */
  readonly period: number;
  /** `period * K` logits. */
  readonly logits: Float64Array;
  /** `period` temperatures. */
  readonly temperature: Float64Array;
  /** `period` density constants. */
  readonly constants: Float64Array;
}

/**
 * The shape rules on a value, always applied (they are cheap, and silent mis-broadcasting is
 * worse than an error): last size equals K, the rest broadcasts with the batch shape.
 *
 * @param value - the value tensor.
 * @param K - categories.
 * @param batchShape - the distribution's batch shape.
 * @returns the result shape `broadcast(value.shape[:-1], batchShape)`.
 * @throws ValueError naming both shapes.
 */
export function checkValueShape(value: Tensor, K: number, batchShape: readonly number[]): number[] {
  const vs = value.shape;
  if (vs.length === 0 || vs[vs.length - 1] !== K) {
    const last = vs.length === 0 ? [] : [vs[vs.length - 1]];
    throw new ValueError(
      `The right-most size of value must match event_shape: ${formatShape(last)} vs ${formatShape([K])}.`,
      { argument: 'value', rule: Rule.shape },
    );
  }
  const result = tryBroadcastShapes(vs.slice(0, -1), batchShape);
  if (result === null) {
    throw new ValueError(
      `Value is not broadcastable with batch_shape+event_shape: ${formatShape(vs)} vs ${formatShape([...batchShape, K])}.`,
      { argument: 'value', rule: Rule.broadcastable },
    );
  }
  return result;
}

/**
 * Lays out a (shape-checked) value and the parameters for the log-density kernel.
 *
 * @param value - the value tensor.
 * @param params - the distribution's parameters.
 * @returns the plan.
 */
export function planLogProb(value: Tensor, params: ConcreteParams): LogProbPlan {
  const K = params.K;
  const batch = params.batchShape;
  const resultShape = checkValueShape(value, K, batch);
  const rows = numelOf(resultShape);
  const values = shapesEqual(value.shape.slice(0, -1), resultShape)
    ? value.data
    : broadcastTo(value, [...resultShape, K]);
  const trailing = resultShape.slice(resultShape.length - batch.length);
  let logits = params.rowLogits;
  let temperature = params.rowTemperature;
  if (!shapesEqual(trailing, batch)) {
    logits = broadcastTo(new Tensor(logits, [...batch, K]), [...trailing, K]);
    temperature = broadcastTo(new Tensor(temperature, batch), trailing);
  }
  const period = temperature.length;
  const constants = new Float64Array(period);
  logProbConstants(period, K, logits, temperature, constants);
  return { resultShape, rows, values, period, logits, temperature, constants };
}
