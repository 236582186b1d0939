/**
 * Which build of relaxed-mc a benchmark task runs: this one, or another one on disk (the
 * baseline's, checked out and built beside this one in the same CI job). The tasks only use
 * the public API (`Engine`, `torch`), so the same harness code times both builds, and the
 * only difference between the two sides of a comparison is the package itself.
 *
 * @packageDocumentation
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as own from '../index.js';
import { BenchInputError } from './errors.js';
import { Rule } from '../index.js';
import { PACKAGE_ROOT } from '../package-files.js';

/** The part of the package the tasks use. */
export interface PackageApi {
  Engine: typeof own.Engine;
  torch: typeof own.torch;
}

/** A build: its API and where it lives. */
export interface PackageBuild {
  api: PackageApi;
  /** The package's root folder (absolute). */
  root: string;
  /** `version` from its package.json. */
  version: string;
}

/** The root of this package (the folder holding package.json). */
export const OWN_ROOT = fileURLToPath(PACKAGE_ROOT);

/** @returns this build. */
export function ownBuild(): PackageBuild {
  return { api: own, root: OWN_ROOT, version: versionOf(OWN_ROOT) };
}

/**
 * Imports another build of relaxed-mc from its folder.
 *
 * @param dir - the package's root folder (holding package.json and the built dist/).
 * @param label - the flag or file it came from, for messages.
 * @returns its API.
 * @throws BenchInputError when the folder holds no built relaxed-mc.
 */
export async function loadBuild(dir: string, label: string): Promise<PackageBuild> {
  const root = resolve(dir);
  const pkgFile = join(root, 'package.json');
  let pkg: { name?: string; main?: string; exports?: { '.'?: { import?: string } } };
  try {
    pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as typeof pkg;
  } catch {
    throw new BenchInputError(
      `${label}: ${root} holds no readable package.json; give the folder of a built relaxed-mc checkout.`,
      { argument: label, rule: Rule.readable },
    );
  }
  if (pkg.name !== 'relaxed-mc')
    throw new BenchInputError(`${label}: ${pkgFile} is package '${String(pkg.name)}', not relaxed-mc.`, {
      argument: label,
      rule: Rule.oneOf,
    });
  const entry = join(root, pkg.exports?.['.']?.import ?? pkg.main ?? 'dist/src/index.js');
  if (!existsSync(entry))
    throw new BenchInputError(
      `${label}: ${entry} does not exist; build that checkout first (npm ci or npm run build).`,
      { argument: label, rule: Rule.built },
    );
  const api = (await import(pathToFileURL(entry).href)) as Partial<PackageApi>;
  if (typeof api.Engine !== 'function' || typeof api.torch !== 'object') {
    throw new BenchInputError(`${label}: ${entry} does not export Engine and torch.`, {
      argument: label,
      rule: Rule.built,
    });
  }
  return { api: api as PackageApi, root, version: versionOf(root) };
}

function versionOf(root: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
