import { type Recommendation, recommendationSchema } from '@taskscope/fargate';
import { formatDurationMs, safeParseInput, summarizeIssues } from '@taskscope/input';
import { ApiErrorSchema } from '@taskscope/sdk';
import * as v from 'valibot';
import { RightsizeError, UsageError } from '../../errors.js';
import type { RightsizeRequest } from '../rightsize.js';
import { fetchText } from './http.js';

/** A request to the agent that takes longer than this counts as unreachable, as in `top`. */
export const AGENT_TIMEOUT_MS = 5_000;

/** The flag each of the route's query parameters comes from, for a refusal's message. */
const FLAG_OF: Readonly<Record<string, string>> = {
  window: '--window',
  percentile: '--percentile',
  headroom: '--headroom',
  platform: '--platform',
};

/**
 * `GET /api/v1/rightsize` of the agent at `url` (with its bearer token): the agent computes it
 * from its history. A parameter the agent refuses (a window past its --history) is the user's
 * input, exit 2; no data, an unreachable agent or an answer of another shape, exit 1.
 */
export async function fromAgent(
  url: string,
  token: string | undefined,
  request: RightsizeRequest,
  fetchFn: typeof fetch = fetch,
): Promise<Recommendation> {
  const target = new URL('api/v1/rightsize', url);
  if (request.windowMs !== undefined) target.searchParams.set('window', formatDurationMs(request.windowMs));
  target.searchParams.set('percentile', String(request.percentile));
  target.searchParams.set('headroom', String(request.headroomPercent));
  if (request.platform !== undefined) target.searchParams.set('platform', request.platform);
  const response = await fetchText(
    `the agent at ${url}`,
    target,
    {
      headers: {
        Accept: 'application/json',
        ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      },
    },
    AGENT_TIMEOUT_MS,
    fetchFn,
  );
  const body = response.json;
  if (!response.ok) {
    const apiError = v.safeParse(ApiErrorSchema, body);
    const message = apiError.success ? apiError.output.message : `HTTP ${response.status}`;
    if (response.status === 400 && apiError.success && apiError.output.parameter !== undefined) {
      const flag = FLAG_OF[apiError.output.parameter] ?? apiError.output.parameter;
      throw new UsageError(`${flag} is refused by the agent at ${url}: ${message}`);
    }
    if (response.status === 503)
      throw new RightsizeError(`no data to size on: the agent at ${url} has ${message}`);
    if (response.status === 401)
      throw new RightsizeError(
        `the agent at ${url} answered 401: it needs its token; expected --auth-token TOKEN`,
      );
    throw new RightsizeError(`the agent at ${url} answered ${response.status}: ${message}`);
  }
  const parsed = safeParseInput(recommendationSchema, body);
  if (!parsed.success) {
    const { path, expected } = summarizeIssues(parsed.issues, body);
    throw new RightsizeError(
      `the agent at ${url} answered something other than a recommendation (${path || 'the body'}: expected ${expected}); is it a taskscope agent of this version?`,
    );
  }
  return parsed.output;
}
