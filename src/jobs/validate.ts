/**
 * Checking a value against a schema and naming the first field at fault, for the errors of
 * each boundary (a state file's `StateFileError`, a worker task's `TypeError`, a queue's
 * `QueueError`).
 *
 * @packageDocumentation
 */
import * as v from 'valibot';

/** The first problem a schema found: the field's dotted path (`params.logits.3`) and why. */
export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * @param schema - a schema.
 * @param value - the value to check.
 * @returns the first issue, or null when the value fits.
 */
export function firstIssue(schema: v.GenericSchema, value: unknown): SchemaIssue | null {
  const r = v.safeParse(schema, value, { abortEarly: true });
  if (r.success) return null;
  const issue = r.issues[0];
  return { path: v.getDotPath(issue) ?? '(the whole value)', message: issue.message };
}
