import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { checkUrlShape, guardedLookup, UnsafeUrlError, type UrlPolicy } from './public-url.ts';

export interface GuardedRequest {
  headers: Record<string, string>;
  body: string;
  /** The whole exchange (DNS, connect, TLS, response headers and body) must finish within this. */
  timeoutMs: number;
  /** Bytes of the response body kept (the rest is read and dropped so the connection can be reused). */
  maxResponseBytes?: number;
}

export interface GuardedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The response body, cut at `maxResponseBytes`. */
  body: string;
  durationMs: number;
}

export type OutboundFailure = 'unsafe_url' | 'timeout' | 'network_error';

/**
 * A request that did not produce an HTTP response. `message` is safe to show to the customer. `unsafe_url`: the address
 * policy refused the URL or the addresses its host resolves to — asking again gets the same answer, so callers that
 * retry should not; `timeout` and `network_error` (a host that does not resolve included) may pass later.
 */
export class OutboundRequestError extends Error {
  constructor(
    readonly failure: OutboundFailure,
    message: string,
    readonly durationMs: number,
  ) {
    super(message);
    this.name = 'OutboundRequestError';
  }
}

/**
 * HTTP client for URLs that customers control (webhook endpoints, assistant server URLs, tool servers). Every request
 * is checked against the URL policy, connects only to addresses vetted at connect time (see `guardedLookup`), never
 * follows redirects (a 3xx is returned as it is), and keeps connections alive per host for throughput.
 */
export class GuardedHttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  /**
   * URLs that passed `checkUrlShape`, as request options. The check depends only on the URL text and this client's
   * policy, and webhook workers call the same few URLs thousands of times; addresses are still vetted at every connect.
   */
  private readonly checkedUrls = new Map<string, { secure: boolean; options: http.RequestOptions }>();

  constructor(
    private readonly policy: UrlPolicy,
    options: { maxSocketsPerHost?: number } = {},
  ) {
    // One agent pair per policy: pooled sockets are keyed by host and port, not by the policy that vetted them.
    const agentOptions = { keepAlive: true, maxSockets: options.maxSocketsPerHost ?? 64, lookup: guardedLookup(policy) };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent(agentOptions);
  }

  post(url: string, request: GuardedRequest): Promise<GuardedResponse> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let target: { secure: boolean; options: http.RequestOptions };
    try {
      target = this.checked(url);
    } catch (error) {
      return Promise.reject(new OutboundRequestError('unsafe_url', (error as Error).message, 0));
    }
    const maxBytes = request.maxResponseBytes ?? 4096;
    const { secure } = target;
    return new Promise<GuardedResponse>((resolve, reject) => {
      const req = (secure ? https : http).request({
        ...target.options,
        method: 'POST',
        agent: secure ? this.httpsAgent : this.httpAgent,
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      });
      const timer = setTimeout(() => {
        req.destroy(new OutboundRequestError('timeout', `no complete response within ${request.timeoutMs} ms`, elapsed()));
      }, request.timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        if (error instanceof OutboundRequestError) reject(error);
        // A name that does not resolve now may resolve later (a DNS outage): a network failure, not a refusal.
        else if (error instanceof UnsafeUrlError && error.reason === 'unresolvable') reject(new OutboundRequestError('network_error', error.message, elapsed()));
        else if (error instanceof UnsafeUrlError) reject(new OutboundRequestError('unsafe_url', error.message, elapsed()));
        else reject(new OutboundRequestError('network_error', describeNetworkError(error), elapsed()));
      };
      req.on('error', fail);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept >= maxBytes) return;
          chunks.push(chunk.subarray(0, maxBytes - kept));
          kept += Math.min(chunk.length, maxBytes - kept);
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), durationMs: elapsed() });
        });
      });
      req.end(request.body);
    });
  }

  private checked(url: string): { secure: boolean; options: http.RequestOptions } {
    let checked = this.checkedUrls.get(url);
    if (!checked) {
      const target = checkUrlShape(url, this.policy);
      // The fields http.request takes from a URL object (urlToHttpOptions), computed once.
      const options: http.RequestOptions = {
        protocol: target.protocol,
        hostname: target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname,
        path: `${target.pathname}${target.search}`,
        ...(target.port ? { port: Number(target.port) } : {}),
      };
      checked = { secure: target.protocol === 'https:', options };
      if (this.checkedUrls.size >= 10_000) this.checkedUrls.clear();
      this.checkedUrls.set(url, checked);
    }
    return checked;
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function describeNetworkError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by the server';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name does not resolve';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS certificate rejected (${code})`;
    default:
      return code ? `network error (${code})` : 'network error';
  }
}
