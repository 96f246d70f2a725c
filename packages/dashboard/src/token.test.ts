import { expect, test } from 'vitest';
import { takeToken, tokenFromAddress } from './token.js';

test('the token comes out of the address; the rest stays', () => {
  expect(tokenFromAddress('http://127.0.0.1:9780/?token=s3cr3t')).toEqual({
    token: 's3cr3t',
    cleanedUrl: '/',
  });
  expect(tokenFromAddress('http://h/taskscope/?a=1&token=x%2By&b=2#top')).toEqual({
    token: 'x+y',
    cleanedUrl: '/taskscope/?a=1&b=2#top',
  });
  expect(tokenFromAddress('http://h/?other=1')).toEqual({ token: undefined, cleanedUrl: undefined });
  // An empty token is no token, but it still leaves the address.
  expect(tokenFromAddress('http://h/?token=')).toEqual({ token: undefined, cleanedUrl: '/' });
});

test('takeToken replaces the address only when it held a token', () => {
  const replaced: string[] = [];
  const history = {
    state: { kept: true },
    replaceState: (state: unknown, _title: string, url?: string | URL | null) => {
      expect(state).toEqual({ kept: true });
      replaced.push(String(url));
    },
  };
  expect(takeToken({ href: 'http://h/?token=abc&view=1' }, history)).toBe('abc');
  expect(replaced).toEqual(['/?view=1']);
  expect(takeToken({ href: 'http://h/?view=1' }, history)).toBeUndefined();
  expect(replaced).toEqual(['/?view=1']);
});
