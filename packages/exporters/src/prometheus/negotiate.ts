/** The two exposition formats `/metrics` serves. */
export type ExpositionFormat = 'text' | 'openmetrics';

interface MediaRange {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
  readonly q: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [mediaType = '', ...rawParams] = part.split(';').map((s) => s.trim());
    if (mediaType === '') continue;
    const params = new Map<string, string>();
    let q = 1;
    for (const raw of rawParams) {
      const eq = raw.indexOf('=');
      if (eq < 0) continue;
      const key = raw.slice(0, eq).trim().toLowerCase();
      const value = raw
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (key === 'q') {
        const parsed = Number(value);
        q = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 0;
      } else params.set(key, value);
    }
    ranges.push({ type: mediaType.toLowerCase(), params, q });
  }
  return ranges;
}

/** The best q a range list gives to one of our formats, 0 when none accepts it. */
function qualityOf(ranges: readonly MediaRange[], format: ExpositionFormat): number {
  let best = 0;
  let bestSpecificity = -1;
  for (const r of ranges) {
    const version = r.params.get('version');
    let specificity: number;
    if (format === 'openmetrics') {
      // We render OpenMetrics 1.0.0 only; a range pinned to 0.0.1 is not an offer for it.
      if (r.type !== 'application/openmetrics-text' || (version !== undefined && version !== '1.0.0'))
        continue;
      specificity = 2;
    } else if (r.type === 'text/plain') {
      // Text 1.0.0 differs from 0.0.4 only by UTF-8 names, which we never emit.
      if (version !== undefined && version !== '0.0.4' && version !== '1.0.0') continue;
      specificity = 2;
    } else if (r.type === 'text/*') specificity = 1;
    else if (r.type === '*/*') specificity = 0;
    else continue;
    // RFC 9110 §12.5.1: the most specific matching range decides the quality.
    if (specificity > bestSpecificity) {
      bestSpecificity = specificity;
      best = r.q;
    } else if (specificity === bestSpecificity) best = Math.max(best, r.q);
  }
  return best;
}

/**
 * Pick the exposition format for an `Accept` header (prometheus/docs content_negotiation.md):
 * OpenMetrics only when the client asks for `application/openmetrics-text` with a higher q
 * than text; otherwise (no header, nothing acceptable, ties) text 0.0.4, the documented fallback.
 */
export function negotiateExposition(acceptHeader: string | undefined): ExpositionFormat {
  if (acceptHeader === undefined || acceptHeader.trim() === '') return 'text';
  const ranges = parseAccept(acceptHeader);
  const om = qualityOf(ranges, 'openmetrics');
  return om > 0 && om > qualityOf(ranges, 'text') ? 'openmetrics' : 'text';
}
