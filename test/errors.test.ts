/**
 * The error list: every class of `src/errors.ts` has its stable code, carries the argument and
 * the rule, survives a trip across a thread as data, and is listed in the README with its code.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import {
  ERROR_CLASSES,
  type ErrorCode,
  type ErrorData,
  InternalError,
  Rule,
  fromErrorData,
  isCodedError,
  isErrorData,
  toErrorData,
} from '../src/errors.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const CODES = Object.keys(ERROR_CLASSES) as ErrorCode[];

/** What a structured clone (a postMessage to a worker and back) does to a value. */
function cloned<T>(value: T): T {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(value);
  const received = receiveMessageOnPort(port2)?.message as T;
  port1.close();
  return received;
}

describe('the error list', () => {
  it('has the twelve classes of the README, each under its own code', () => {
    expect(CODES).toEqual([
      'ERR_VALUE',
      'ERR_TYPE',
      'ERR_RANGE',
      'ERR_RUNTIME',
      'ERR_NOT_IMPLEMENTED',
      'ABORT_ERR',
      'ERR_CHUNK',
      'ERR_STATE_FILE',
      'ERR_WORKER_LOAD',
      'ERR_QUEUE',
      'ERR_OBJECTIVE',
      'ERR_INTERNAL',
    ]);
  });

  for (const code of CODES) {
    const Class = ERROR_CLASSES[code];
    it(`${Class.name} has code ${code}, survives a trip across threads as data, and is in the README`, () => {
      const data: ErrorData = { code, argument: 'options.samples', rule: 'positive', message: `a ${Class.name}` };
      const err = fromErrorData(cloned(data));
      expect(err).toBeInstanceOf(Class);
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe(Class.name);
      expect(err.code).toBe(code);
      expect(err.message).toBe(data.message);
      expect(isCodedError(err)).toBe(true);
      const back = cloned(toErrorData(err));
      expect(isErrorData(back)).toBe(true);
      expect(back.code).toBe(code);
      expect(back.message).toBe(data.message);
      if (code !== 'ERR_CHUNK' && code !== 'ERR_WORKER_LOAD' && code !== 'ERR_OBJECTIVE') {
        // These three fix their own argument and rule; every other class keeps what it was given.
        expect(back.argument).toBe('options.samples');
        expect(back.rule).toBe('positive');
      }
      expect(README).toContain(`| \`${Class.name}\` | \`${code}\` |`);
    });
  }

  it('TypeError and RangeError of the list are the built-in classes too', () => {
    expect(fromErrorData({ code: 'ERR_TYPE', argument: null, rule: null, message: 'm' })).toBeInstanceOf(
      globalThis.TypeError,
    );
    expect(fromErrorData({ code: 'ERR_RANGE', argument: null, rule: null, message: 'm' })).toBeInstanceOf(
      globalThis.RangeError,
    );
  });

  it('errors outside the list cross as ERR_TYPE, ERR_RANGE or ERR_RUNTIME with their message', () => {
    expect(toErrorData(new globalThis.TypeError('t'))).toEqual({
      code: 'ERR_TYPE',
      argument: null,
      rule: null,
      message: 't',
    });
    expect(toErrorData(new globalThis.RangeError('r')).code).toBe('ERR_RANGE');
    expect(toErrorData(new Error('objective exploded'))).toEqual({
      code: 'ERR_RUNTIME',
      argument: null,
      rule: null,
      message: 'objective exploded',
    });
    expect(toErrorData('a string').message).toBe('a string');
  });

  it('a structured clone of a bare error loses its code, which is why errors cross as data', () => {
    const raw = cloned(new InternalError('x')) as unknown as Record<string, unknown>;
    expect(raw.code).toBeUndefined();
  });

  it('an internal error says it is a bug in relaxed-mc', () => {
    expect(new InternalError('the pool is not started').message).toMatch(/internal error \(a bug in relaxed-mc/);
  });

  it('data that is not an error of the list is not taken for one', () => {
    expect(isErrorData({ code: 'ENOENT', argument: null, rule: null, message: 'm' })).toBe(false);
    expect(isErrorData({ code: 'ERR_VALUE', message: 'm' })).toBe(false);
    expect(isErrorData(new Error('m'))).toBe(false);
    expect(isErrorData(null)).toBe(false);
  });
});

describe('the rules', () => {
  /** The rows of the README's table of rules: `Rule.` key and identifier. */
  const rows = [...README.matchAll(/^\| `(\w+)` \| `([a-z0-9-]+)` \|/gm)].map((m) => [m[1], m[2]]);

  it('the README lists every rule of Rule, under its key, and no other', () => {
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.fromEntries(rows)).toEqual({ ...Rule });
    expect(rows.length).toBe(Object.keys(Rule).length);
  });

  it('no two keys share an identifier (a rule means one thing)', () => {
    const values = Object.values(Rule);
    expect(new Set(values).size).toBe(values.length);
  });
});
