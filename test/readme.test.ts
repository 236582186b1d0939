/**
 * The README's examples run as written: every ```js block that imports 'relaxed-mc' is executed
 * (as an ES module inside this package, so the import resolves to the build), and when the
 * block is followed by "prints" and a ```text block, its output must match that text exactly.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(`${ROOT}README.md`, 'utf8');

interface Example {
  line: number;
  code: string;
  expected: string | null;
}

function examples(md: string): Example[] {
  const out: Example[] = [];
  const re = /```js\n([\s\S]*?)```\n(?:\s*prints\s*\n\s*```text\n([\s\S]*?)```)?/g;
  for (let m = re.exec(md); m !== null; m = re.exec(md)) {
    if (!m[1].includes("from 'relaxed-mc'")) continue;
    out.push({ line: md.slice(0, m.index).split('\n').length, code: m[1], expected: m[2] ?? null });
  }
  return out;
}

describe('README examples', () => {
  const found = examples(readme);
  it('there are examples to run', () => {
    expect(found.length).toBeGreaterThanOrEqual(3);
  });
  for (const ex of found) {
    it(`the example at README.md line ${ex.line} runs${ex.expected !== null ? ' and prints what the README says' : ''}`, () => {
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', ex.code], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      if (ex.expected !== null) expect(r.stdout).toBe(ex.expected);
    });
  }
});
