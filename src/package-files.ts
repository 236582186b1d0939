/**
 * Where the package's built files are. Worker entries, the WebAssembly kernels and the figure
 * renderer's worker exist only as build output (`dist/`), but the modules that load them also
 * run from the TypeScript sources (tests and tools under `src/`), where a path relative to the
 * module would point into `src/` and find nothing. So every such file is located from the
 * package root, which this module knows from where it lies itself: `src/` (the sources) or
 * `dist/src/` (the build, in the repository or installed from npm).
 *
 * @example
 * ```ts
 * import { builtFile } from './package-files.js';
 * builtFile('workers/worker.js'); // file:///.../relaxed-mc/dist/workers/worker.js
 * ```
 *
 * @packageDocumentation
 */

/** The package root (the folder of package.json), as a file URL ending in `/`. */
export const PACKAGE_ROOT: URL = new URL(
  /\/dist\/src\/package-files\.[cm]?js$/.test(import.meta.url) ? '../../' : '../',
  import.meta.url,
);

/**
 * @param path - a path inside the build, relative to `dist/` (`workers/worker.js`).
 * @returns its file URL, the same whether the caller runs from the sources or from the build.
 */
export function builtFile(path: string): URL {
  return new URL(`dist/${path}`, PACKAGE_ROOT);
}
