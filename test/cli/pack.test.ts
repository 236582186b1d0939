/**
 * The package as a user gets it: `npm pack`, then `npm install <tarball>` in an empty folder,
 * then `npx relaxed-mc --help` and a small run there (with its exact moments, so both worker
 * entries are found where they are installed). Uses the `dist/` already built (the pack skips
 * `prepare`, so it does not rebuild under the feet of the other tests).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempFolder } from './helpers.js';

const tmp = tempFolder();
afterAll(() => tmp.cleanup());
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const quiet = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

describe('the packed package', () => {
  it('installs from its tarball into an empty project, where npx relaxed-mc runs', () => {
    execFileSync(npm, ['pack', '--ignore-scripts', '--pack-destination', tmp.dir, '--loglevel=error'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    const tarball = readdirSync(tmp.dir).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const project = join(tmp.dir, 'user');
    execFileSync('mkdir', [project]);
    writeFileSync(join(project, 'package.json'), '{ "name": "user", "private": true }\n');
    execFileSync(npm, ['install', join(tmp.dir, tarball as string), ...quiet], {
      cwd: project,
      stdio: 'pipe',
      timeout: 120_000,
    });
    const help = execFileSync('npx', ['relaxed-mc', '--help'], { cwd: project, encoding: 'utf8' });
    expect(help).toMatch(/^Usage: relaxed-mc \[options\] \[command\]/);
    const json = execFileSync(
      'npx',
      ['relaxed-mc', 'estimate', '--samples', '1e4', '--seed', '1', '--threads', '1', '--format', 'json', '--quiet'],
      {
        cwd: project,
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(json).samples).toBe(1e4);
    // The exact moments come from the installed exact-moments worker entry (dist/workers/exact-worker.js).
    expect(JSON.parse(json).exact.mean).toHaveLength(3);
  });
});
