/*
 * The agent's `--auth-token` reaches the page as `/?token=TOKEN` (the agent serves `/` for it).
 * The page takes it out of the address at once, so it is not left in the history, a bookmark,
 * a screenshot or a Referer, and keeps it in memory only: it travels as a Bearer header on
 * each API call, never in a URL again. A reload needs the link with the token again.
 */

export const TOKEN_PARAMETER = 'token';

export interface TokenFromAddress {
  /** The token in the address, if any. */
  readonly token: string | undefined;
  /** The address without it (other parameters and the fragment kept); `undefined` when unchanged. */
  readonly cleanedUrl: string | undefined;
}

/** Pure: reads the token parameter from `href` and gives the address without it. */
export function tokenFromAddress(href: string): TokenFromAddress {
  const url = new URL(href);
  if (!url.searchParams.has(TOKEN_PARAMETER)) return { token: undefined, cleanedUrl: undefined };
  const value = url.searchParams.get(TOKEN_PARAMETER)!.trim();
  url.searchParams.delete(TOKEN_PARAMETER);
  // Relative, so replaceState keeps the origin whatever proxy path the page is under.
  const cleanedUrl = `${url.pathname}${url.search}${url.hash}`;
  return { token: value === '' ? undefined : value, cleanedUrl };
}

/** The token in the page's address, which is replaced by the same address without it. */
export function takeToken(
  location: Pick<Location, 'href'>,
  history: Pick<History, 'replaceState' | 'state'>,
): string | undefined {
  const { token, cleanedUrl } = tokenFromAddress(location.href);
  if (cleanedUrl !== undefined) history.replaceState(history.state, '', cleanedUrl);
  return token;
}
