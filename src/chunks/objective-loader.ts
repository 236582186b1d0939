/**
 * Builds a gradients job's objective from its descriptor: a built-in from its coefficients, or
 * a user module imported once per thread (and checked: `f` and `grad` exported, finite at the
 * centre of the simplex).
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import { type Objective, objectiveFromModule, objectiveFromSpec } from '../kernels/objectives.js';
import type { ObjectiveDescriptor } from './layout.js';
import { Rule, TypeError } from '../errors.js';

const modules = new Map<string, Promise<unknown>>();

/**
 * @param spec - an absolute path or a file URL.
 * @returns the module's file URL.
 * @throws TypeError when it is neither.
 */
export function moduleUrl(spec: string): string {
  if (spec.startsWith('file:')) return spec;
  if (isAbsolute(spec)) return pathToFileURL(spec).href;
  throw new TypeError(`objective.module must be an absolute path or a file URL, but got "${spec}".`, {
    argument: 'objective.module',
    rule: Rule.path,
  });
}

/**
 * @param spec - a module's absolute path or file URL.
 * @returns the sha256 of its contents, or null when it cannot be read.
 */
export function moduleHash(spec: string): string | null {
  try {
    return createHash('sha256')
      .update(readFileSync(fileURLToPath(moduleUrl(spec))))
      .digest('hex');
  } catch {
    return null;
  }
}

/**
 * @param d - the objective descriptor.
 * @param K - categories.
 * @returns the objective. A module is imported once per thread and version of its contents
 *   (the URL carries their hash), so an edited module is not served from the import cache. A
 *   `data:` URL (a queue worker's checked copy of a module's bytes) is imported as it is.
 */
export async function loadObjective(d: ObjectiveDescriptor, K: number): Promise<Objective> {
  if (!('module' in d)) return objectiveFromSpec(d);
  // A queue worker passes the checked bytes of a module as a data: URL (see queue/allowed-modules.ts).
  const hash = d.module.startsWith('data:') ? null : moduleHash(d.module);
  const url = d.module.startsWith('data:')
    ? d.module
    : hash === null
      ? moduleUrl(d.module)
      : `${moduleUrl(d.module)}?sha256=${hash}`;
  let mod = modules.get(url);
  if (mod === undefined) {
    mod = import(url);
    modules.set(url, mod);
    mod.catch(() => modules.delete(url));
  }
  return objectiveFromModule(K, await mod, url.startsWith('data:') ? 'the queued objective module' : d.module);
}
