/**
 * User objective modules on a queue worker. A job names a module by its file name and the
 * SHA-256 of its bytes; a worker started with `--allow-modules DIR` resolves the real path inside
 * DIR (symbolic links followed, and refused when they lead out of DIR), reads the bytes once,
 * checks their hash, and hands exactly those bytes to its threads as a `data:` URL, so a file
 * changed after the check is never run. Without `--allow-modules`, module objectives are refused.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { QueueError, Rule, TypeError } from '../errors.js';

/** Largest objective module a worker reads. */
const MAX_MODULE_BYTES = 1 << 20;

/** Resolves and checks module objectives against one folder. */
export class AllowedModules {
  private readonly root: string;
  private readonly cache = new Map<string, string>();

  /**
   * @param dir - the folder whose modules may run.
   * @throws Error when it is not a readable folder.
   */
  constructor(dir: string) {
    this.root = realpathSync(dir);
    if (!statSync(this.root).isDirectory())
      throw new TypeError(`${dir} is not a folder`, { argument: 'dir', rule: Rule.folder });
  }

  /** The folder's real path. */
  get folder(): string {
    return this.root;
  }

  /**
   * @param name - the module's file name (a path relative to the folder).
   * @param sha256 - the hash the coordinator computed from its copy.
   * @returns a `data:` URL holding the checked bytes.
   * @throws QueueError when the module is outside the folder, missing, too large, or its hash differs.
   */
  resolve(name: string, sha256: string): string {
    const cached = this.cache.get(`${sha256}/${name}`);
    if (cached !== undefined) return cached;
    if (isAbsolute(name))
      throw new QueueError(
        `module ${JSON.stringify(name)} must be a file name inside the allowed folder, not an absolute path.`,
        { argument: 'job.gradient.objective.module.name', rule: Rule.allowedModules },
      );
    let real: string;
    try {
      real = realpathSync(resolve(this.root, name));
    } catch {
      throw new QueueError(`module ${JSON.stringify(name)} is not in the allowed folder ${this.root}.`, {
        argument: 'job.gradient.objective.module.name',
        rule: Rule.allowedModules,
      });
    }
    const rel = relative(this.root, real);
    if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
      throw new QueueError(
        `module ${JSON.stringify(name)} resolves outside the allowed folder ${this.root}; refused.`,
        { argument: 'job.gradient.objective.module.name', rule: Rule.allowedModules },
      );
    const size = statSync(real).size;
    if (size > MAX_MODULE_BYTES)
      throw new QueueError(`module ${JSON.stringify(name)} has ${size} bytes; at most ${MAX_MODULE_BYTES} are read.`, {
        argument: 'job.gradient.objective.module.name',
        rule: Rule.allowedModules,
      });
    const bytes = readFileSync(real);
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (hash !== sha256)
      throw new QueueError(
        `module ${JSON.stringify(name)} in ${this.root} has SHA-256 ${hash}, but the job asks for ${sha256}; refused.`,
        { argument: 'job.gradient.objective.module.sha256', rule: Rule.sha256 },
      );
    const url = `data:text/javascript;base64,${bytes.toString('base64')}`;
    this.cache.set(`${sha256}/${name}`, url);
    return url;
  }
}
