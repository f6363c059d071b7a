import { afterAll, beforeAll } from 'vitest';

/**
 * A value the tests of the enclosing describe share, made in its beforeAll and closed in its afterAll.
 * What this answers stands in for the value from the start, so that a describe names it once at its
 * top; read before it is made (while the tests are being collected) it throws rather than answer
 * undefined. Hooks run in the order they are registered, so a describe's own beforeAll after this
 * call sees the value made, and its own afterAll runs before the value is closed.
 */
export function useFixture<T extends object>(what: string, make: () => Promise<T>, close: (value: T) => Promise<void>): T {
  let value: T | undefined;
  beforeAll(async () => {
    value = await make();
  });
  afterAll(async () => {
    const made = value;
    value = undefined;
    if (made) await close(made);
  });
  return new Proxy({} as T, {
    get(_, key) {
      if (value === undefined) throw new Error(`${what} is made in beforeAll: use it in hooks and tests`);
      return Reflect.get(value, key);
    },
  });
}
