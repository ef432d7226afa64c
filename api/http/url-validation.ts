import { invalid } from '../../core/errors.ts';
import { assertPublicUrl, UnsafeUrlError, type UrlPolicy } from '../../core/net/public-url.ts';

/** The policy for URLs we call back (webhook endpoints, tool servers, an assistant's webhook override). */
export function callbackUrlPolicy(allowPrivateUrls: boolean): UrlPolicy {
  return { allowPrivate: allowPrivateUrls, allowedBy: 'ECHOSPHERE_ALLOW_PRIVATE_URLS' };
}

/**
 * A URL a customer saves for us to call, checked under `policy` with DNS (core/net); a refusal is a 400 `invalid_url`
 * naming the field, and, when it is refused for being private or unencrypted, the setting that allows such URLs for
 * local development. The caller still calls it through a connect-time check: DNS may answer differently later.
 */
export async function assertSavedUrl(url: string, policy: UrlPolicy, param: string): Promise<URL> {
  try {
    return await assertPublicUrl(url, policy);
  } catch (error) {
    if (error instanceof UnsafeUrlError) throw invalid('invalid_url', `${param}: ${error.message}${settingHint(url, error, policy)}`, param);
    throw error;
  }
}

function settingHint(url: string, error: UnsafeUrlError, policy: UrlPolicy): string {
  const unencrypted = error.reason === 'scheme' && /^(http|ws):/i.test(url);
  if (policy.allowPrivate || !policy.allowedBy || !(unencrypted || error.reason === 'private_address')) return '';
  return ` (for local development, the server setting ${policy.allowedBy}=true allows private addresses and unencrypted URLs)`;
}
