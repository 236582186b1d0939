/**
 * Runs the built command line (`dist/src/cli/main.js`) as a subprocess, in temporary folders.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built entry point. */
export const MAIN = join(ROOT, 'dist/src/cli/main.js');

/** What a finished run left. */
export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * @param args - arguments after `relaxed-mc`.
 * @param cwd - working directory.
 * @returns exit status and output.
 */
export function relaxedMc(args: readonly string[], cwd: string): Promise<Run> {
  return relaxedMcEnv(args, cwd, {});
}

/**
 * @param args - arguments after `relaxed-mc`.
 * @param cwd - working directory.
 * @param env - variables added to the environment.
 * @returns exit status and output.
 */
export function relaxedMcEnv(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A temporary folder and the function that removes it. */
export interface TempFolder {
  dir: string;
  cleanup: () => void;
}

/** A fresh temporary folder, and a function that removes it. */
export function tempFolder(): TempFolder {
  const dir = mkdtempSync(join(tmpdir(), 'relaxed-mc-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * @param dir - a folder.
 * @returns its entries, hidden ones (temporary files) included, sorted.
 */
export function entries(dir: string): string[] {
  return readdirSync(dir).sort();
}
