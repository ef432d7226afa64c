import { invalid } from '../../core/errors.ts';
import { assertPublicUrl, UnsafeUrlError, type UrlPolicy } from '../../core/net/public-url.ts';

/**
 * A URL a customer saves for us to call, checked under `policy` with DNS (core/net); a refusal is a 400 `invalid_url`
 * naming the field. The caller still calls it through a connect-time check: DNS may answer differently later.
 */
export async function assertSavedUrl(url: string, policy: UrlPolicy, param: string): Promise<URL> {
  try {
    return await assertPublicUrl(url, policy);
  } catch (error) {
    if (error instanceof UnsafeUrlError) throw invalid('invalid_url', `${param}: ${error.message}`, param);
    throw error;
  }
}
