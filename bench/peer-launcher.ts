/**
 * Runs the peer scripts from a helper process started once, instead of forking the benchmark.
 *
 * Forking a process (Node's spawn and spawnSync fork on Linux) write-protects all of its memory
 * for copy-on-write; after the child has gone, the first write to each page of the parent
 * faults once more. On a 2-core virtual machine that is about 14 us per 4 KiB page: rewriting a
 * 48 MiB ring of stream buffers after each peer run cost 170 ms, doubling W3s, a cost no user's
 * process pays (nothing forks it between two streams). The helper, a small Python loop started
 * before the engines allocate anything, forks instead; each peer still runs in a fresh
 * interpreter, as before.
 *
 * @packageDocumentation
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';

/** What a peer run gives back. */
export interface PeerRun {
  status: number;
  stdout: string;
  stderr: string;
}

// One JSON request per line on stdin ({argv, env, cwd}), one JSON answer per line on stdout.
const LOOP = `
import json, subprocess, sys
for line in sys.stdin:
    q = json.loads(line)
    r = subprocess.run(q['argv'], env=q['env'], cwd=q['cwd'], stdin=subprocess.DEVNULL, capture_output=True, text=True)
    print(json.dumps({'status': r.returncode, 'stdout': r.stdout, 'stderr': r.stderr}), flush=True)
`;

/** A long-lived launcher of peer commands; one command at a time. */
export class PeerLauncher {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly answers: AsyncIterator<string>;
  /** The previous request's answer: requests are answered in order, one at a time. */
  private last: Promise<unknown> = Promise.resolve();

  /** @param python - the interpreter that runs the launcher loop. */
  constructor(python: string) {
    // The launcher's own errors (a traceback) go to this process's stderr.
    this.child = spawn(python, ['-u', '-c', LOOP], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.on('error', (err) => {
      console.error(`the peer launcher (${python}) failed: ${err.message}`);
    });
    this.answers = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  /**
   * @param argv - the command and its arguments.
   * @param env - its environment.
   * @param cwd - its working directory.
   * @returns its exit status and output, once it has exited.
   */
  run(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<PeerRun> {
    const next = this.last.then(async () => {
      this.child.stdin.write(JSON.stringify({ argv, env, cwd }) + '\n');
      const answer = await this.answers.next();
      if (answer.done) throw new Error('the peer launcher exited');
      return JSON.parse(answer.value) as PeerRun;
    });
    this.last = next.catch(() => undefined);
    return next;
  }

  /** Ends the launcher. */
  close(): void {
    this.child.stdin.end();
  }
}
