import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlatformError } from '../../core/errors.ts';
import { parseQueryString } from './query-string.ts';

test('reads like express\'s simple parser: + is a space, repeated names give arrays, a bare name is empty', () => {
  assert.deepEqual({ ...parseQueryString('a=1&b=x+y&a=2&c&d=%C3%BC%20') }, { a: ['1', '2'], b: 'x y', c: '', d: 'ü ' });
  assert.deepEqual({ ...parseQueryString('') }, {});
  assert.deepEqual({ ...parseQueryString(null) }, {});
  assert.deepEqual({ ...parseQueryString('&&a=%3D%26') }, { a: '=&' });
  assert.equal(Object.getPrototypeOf(parseQueryString('__proto__=x')), null);
});

test('malformed percent-encoding is a 400 naming the parameter', () => {
  for (const [raw, param] of [['limit=%E0%A4%A', 'limit'], ['a=1&b=%', 'b'], ['x=%ZZ', 'x'], ['s=%ED%A0%80', 's'], ['%E0=1', undefined]] as const) {
    assert.throws(
      () => parseQueryString(raw),
      (error: unknown) => error instanceof PlatformError && error.status === 400 && error.code === 'malformed_query' && error.param === param,
      raw,
    );
  }
});
