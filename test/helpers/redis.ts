/**
 * Test helpers for the queue: a private redis-server on a free loopback port (no persistence
 * unless asked), `relaxed-mc worker` processes whose log lines are kept, and the check that
 * redis-server is installed at all (when it is not, the queue tests are skipped and `npm test`
 * says so on its last line).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIN } from '../cli/helpers.js';

/** Whether `redis-server` is on the PATH. */
export const HAS_REDIS = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** A free TCP port on 127.0.0.1 (free when asked; the OS does not hand it out again soon). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Options of {@link startRedis}. */
export interface RedisOptions {
  /** Append-only file with an fsync per write (survives a kill -9). */
  appendonly?: boolean;
  /** requirepass. */
  password?: string;
  /** TLS only, with these PEM files (no plain port). */
  tls?: { cert: string; key: string; ca: string };
}

/** A running redis-server. */
export interface RedisServer {
  readonly port: number;
  /** redis:// (or rediss://) URL, with the password when there is one. */
  readonly url: string;
  /** Kills it with SIGKILL and starts it again on the same port and folder. */
  restart(downMs?: number): Promise<void>;
  /** SIGKILL. */
  kill(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts a private redis-server on a free loopback port.
 *
 * @param o - persistence, password, TLS.
 * @returns the server, ready for connections.
 */
export async function startRedis(o: RedisOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'relaxed-mc-redis-'));
  const args = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--protected-mode', 'no'];
  if (o.appendonly) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  else args.push('--appendonly', 'no');
  if (o.password !== undefined) args.push('--requirepass', o.password);
  if (o.tls) {
    args.push('--port', '0', '--tls-port', String(port), '--tls-cert-file', o.tls.cert, '--tls-key-file', o.tls.key);
    args.push('--tls-ca-cert-file', o.tls.ca, '--tls-auth-clients', 'no');
  } else args.push('--port', String(port));
  let child: ChildProcess | null = null;
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const c = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 15_000);
      c.stdout.setEncoding('utf8').on('data', (s: string) => {
        out += s;
        if (/Ready to accept connections/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      c.on('exit', (code) => {
        clearTimeout(timer);
        if (!/Ready to accept connections/.test(out)) reject(new Error(`redis-server exited with ${code}: ${out}`));
      });
    });
  const kill = () =>
    new Promise<void>((resolve) => {
      const c = child;
      if (c === null || c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  await launch();
  const auth = o.password === undefined ? '' : `:${encodeURIComponent(o.password)}@`;
  return {
    port,
    url: `${o.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    async restart(downMs = 300) {
      await kill();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    kill,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A `relaxed-mc worker` process. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Its stderr so far. */
  log(): string;
  /** Resolves when its log matches. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  /** Chunk ranges of the jobs it finished (from its `done job` lines). */
  doneRanges(): [number, number][];
  /** Resolves with the exit code and signal once it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** kill -9. */
  kill9(): Promise<void>;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `relaxed-mc worker` and waits until it serves its queue.
 *
 * @param args - its arguments (`--redis URL`, ...).
 * @param env - extra environment.
 * @returns the process.
 */
export async function startWorker(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [MAIN, 'worker', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let log = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    log += s;
    for (const w of [...waiters]) if (w.re.test(log)) w.resolve();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (re: RegExp, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      if (re.test(log)) return resolve();
      const timer = setTimeout(
        () => reject(new Error(`worker log did not match ${re} within ${timeoutMs} ms:\n${log}`)),
        timeoutMs,
      );
      void exited.then(() => {
        setTimeout(() => {
          if (!re.test(log)) {
            clearTimeout(timer);
            reject(new Error(`worker exited before its log matched ${re}:\n${log}`));
          }
        }, 50);
      });
      waiters.push({
        re,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  const w: WorkerProcess = {
    child,
    log: () => log,
    waitFor,
    doneRanges: () => [...log.matchAll(/done job \S+\.(\d+)-(\d+) in/g)].map((m) => [Number(m[1]), Number(m[2])]),
    exited,
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  await waitFor(/serving queue/);
  return w;
}
