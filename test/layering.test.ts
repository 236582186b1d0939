/**
 * The layering rules (`.dependency-cruiser.cjs`, run on the real tree by `npm test`) refuse a
 * deliberate violation: a tiny tree in test/fixtures/layering whose kernel and worker-wing
 * module import the engine, whose worker wing imports stats, and whose stats start a thread.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/layering/', import.meta.url));
const DEPCRUISE = `${ROOT}node_modules/dependency-cruiser/bin/dependency-cruise.mjs`;

describe('the layering rules', () => {
  it('fail on each deliberate violation of the fixture, naming its rule', () => {
    const r = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', `${ROOT}.dependency-cruiser.cjs`], {
      cwd: FIXTURE,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = r.stdout + r.stderr;
    expect(r.status, out).not.toBe(0);
    expect(out).toMatch(/error kernels-stay-pure: src\/kernels\/leaky-kernel\.js → src\/engine\/pool\.js/);
    expect(out).toMatch(
      /error worker-wing-imports-only-kernels-rng-schemas-errors: src\/chunks\/leaky-chunk\.js → src\/engine\/pool\.js/,
    );
    expect(out).toMatch(
      /error worker-wing-imports-only-kernels-rng-schemas-errors: src\/chunks\/stats-chunk\.js → src\/stats\/report\.js/,
    );
    expect(out).toMatch(
      /error only-worker-entries-and-coordinators-touch-worker-threads: src\/stats\/report\.js → (node:)?worker_threads/,
    );
    expect(out).toMatch(/4 errors/);
  });
});
