import { after, before } from 'node:test';

/**
 * Starts a fixture before the tests of the enclosing `describe` (or file) and closes it after them, so a test file
 * says what it needs in one line instead of a `let` and a `before`/`after` pair. The returned object stands for the
 * fixture once it has started; reading it earlier (at `describe` time) throws rather than hand out `undefined`.
 *
 * Inside a `describe`, hooks run one after another in the order they are declared, so a later `before` may use the
 * fixture. At the top of a file Node 20 starts the `before` hooks together: there, a hook that needs the fixture
 * belongs in the fixture's own `start`.
 */
export function forTheseTests<T extends object>(start: () => Promise<T>, close: (fixture: T) => Promise<void>): T {
  let fixture: T | undefined;
  before(async () => {
    fixture = await start();
  });
  after(async () => {
    if (fixture) await close(fixture);
  });
  return new Proxy({} as T, {
    get(_target, key) {
      if (!fixture) throw new Error(`The fixture's "${String(key)}" was read before the fixture started (read it inside a test or hook).`);
      const value: unknown = Reflect.get(fixture, key);
      return typeof value === 'function' ? value.bind(fixture) : value;
    },
  });
}
