// Run by `npm test` after the tests: where redis-server is missing, the queue tests were skipped,
// and the last line of the run says so (and how to install it).
import { spawnSync } from 'node:child_process';

if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.log(
    'relaxed-mc: the queue tests (test/queue) were SKIPPED because redis-server is not installed; ' +
      'install it (Debian/Ubuntu: apt-get install -y redis-server) and run npm test again.',
  );
}
