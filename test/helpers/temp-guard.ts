/**
 * Vitest global setup: the run gets a temporary directory of its own, made the system one for
 * every test file and every process they start (`TMPDIR`, which `os.tmpdir()` reads), and the
 * run fails if anything is left in it at the end: each test must remove what it creates
 * (`relaxed-mc-ck-*`, `relaxed-mc-cli-*` ... folders, temporary outputs of the command line).
 * A directory of its own, rather than a before/after listing of the system one, keeps other
 * processes' temporary files (another test run on the same machine) out of the verdict.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'relaxed-mc-test-run-'));
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    const left = readdirSync(dir);
    rmSync(dir, { recursive: true, force: true });
    if (left.length > 0) {
      throw new Error(
        `the tests left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in the temporary directory: ${left.join(', ')}`,
      );
    }
  };
}
