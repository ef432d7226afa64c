import { invalid } from '../../core/errors.ts';

export type ParsedQuery = Record<string, string | string[]>;

/**
 * Express's query parser, strict about percent-encoding. Node's querystring turns a malformed escape (`%E0%A4%A`)
 * into replacement characters and carries on, so a value nobody sent would reach validation; here it is a 400 naming
 * the parameter. Otherwise it reads like express's "simple" parser: `+` is a space, a repeated name gives an array.
 */
export function parseQueryString(raw: string | null | undefined): ParsedQuery {
  const query: ParsedQuery = Object.create(null) as ParsedQuery;
  // Express hands over null when the URL has no `?` at all.
  for (const pair of (raw ?? '').split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const rawName = separator === -1 ? pair : pair.slice(0, separator);
    const rawValue = separator === -1 ? '' : pair.slice(separator + 1);
    const name = decodeComponent(rawName, undefined);
    const value = decodeComponent(rawValue, name);
    const previous = query[name];
    query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return query;
}

function decodeComponent(raw: string, name: string | undefined): string {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    const where = name === undefined ? 'A query parameter name' : `Query parameter "${name}"`;
    throw invalid('malformed_query', `${where} is not valid percent-encoded UTF-8.`, name);
  }
}
