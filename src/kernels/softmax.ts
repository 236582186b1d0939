/**
 * The softmax of one row of logits, written into a caller's array: the gradient estimators'
 * category probabilities, computed once per batch element by the chunks and the pilot alike.
 *
 * @packageDocumentation
 */

/**
 * Subtracting the largest logit first keeps every `exp` at most 1, so no logit overflows.
 *
 * @param logits - K logits.
 * @param out - K probabilities, softmax(logits).
 */
export function softmaxInto(logits: Float64Array, out: Float64Array): void {
  let m = -Infinity;
  for (let k = 0; k < logits.length; k++) if (logits[k] > m) m = logits[k];
  let s = 0;
  for (let k = 0; k < logits.length; k++) {
    out[k] = Math.exp(logits[k] - m);
    s += out[k];
  }
  for (let k = 0; k < logits.length; k++) out[k] /= s;
}
