import { describe, expect, it } from 'vitest';
import { RightsizeError } from '../../errors.js';
import { fromAgent } from './agent.js';

const AGENT = 'http://agent.test:9780/';
const REQUEST = { percentile: 95, headroomPercent: 20 };

/** A fetch answering every request with `status` and `body`. */
const answering = (status: number, body: string) =>
  (async () => new Response(body, { status })) as typeof fetch;

async function failure(fetchFn: typeof fetch): Promise<Error> {
  return fromAgent(AGENT, undefined, REQUEST, fetchFn).then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error) => error,
  );
}

describe("rightsize --agent: the agent's answers", () => {
  it('sends the figures as the query and the token as a bearer header', async () => {
    let seen: [string, string | null] | undefined;
    const fetchFn = (async (url: URL, init: RequestInit) => {
      seen = [String(url), new Headers(init.headers).get('authorization')];
      return new Response('{}', { status: 500 });
    }) as typeof fetch;
    await fromAgent(AGENT, 's3cret', { ...REQUEST, windowMs: 300_000, platform: 'windows' }, fetchFn).catch(
      () => {},
    );
    expect(seen).toEqual([
      `${AGENT}api/v1/rightsize?window=5m&percentile=95&headroom=20&platform=windows`,
      'Bearer s3cret',
    ]);
  });

  it.each([
    [500, 'oops', `the agent at ${AGENT} answered 500: HTTP 500`],
    [
      404,
      '{"error":"not found","message":"no such API path: /api/v1/rightsize"}',
      `the agent at ${AGENT} answered 404: no such API path: /api/v1/rightsize`,
    ],
    [
      200,
      '{"current":null}',
      `the agent at ${AGENT} answered something other than a recommendation (recommended: expected a value); is it a taskscope agent of this version?`,
    ],
  ])('HTTP %i is exit 1 with what it said', async (status, body, message) => {
    const error = await failure(answering(status, body));
    expect(error).toBeInstanceOf(RightsizeError);
    expect(error.message).toBe(message);
  });

  it('no answer in time is exit 1 saying so', async () => {
    const slow = (async () => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    }) as typeof fetch;
    expect((await failure(slow)).message).toBe(
      `the agent at ${AGENT} cannot be reached (no answer within 5 s)`,
    );
  });
});
