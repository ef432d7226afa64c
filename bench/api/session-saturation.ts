// The saturation rate of POST /v1/sessions: closed-loop autocannon (every connection sends its next request as soon
// as the last one is answered), so the rate it reaches is the most the api processes and PostgreSQL serve together.
// Run for one organization and for ten (requests spread over their keys in turn), on one api process and on two
// (each process gets half the connections, as a load balancer would spread them).
import autocannon from 'autocannon';

export interface SaturationTarget {
  /** One api process's base URL each. */
  baseUrls: string[];
  /** One secret key per organization, and the assistant to start sessions of in that organization. */
  organizations: Array<{ secretKey: string; assistantId: string }>;
  connections: number;
  durationS: number;
}

export interface SaturationResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  non_2xx: number;
  errors: number;
}

export async function sessionSaturation(target: SaturationTarget): Promise<SaturationResult> {
  const perProcess = Math.max(1, Math.floor(target.connections / target.baseUrls.length));
  const results = await Promise.all(target.baseUrls.map((baseUrl) => closedLoop(baseUrl, target.organizations, perProcess, target.durationS)));
  const weighted = (pick: (result: autocannon.Result) => number) =>
    results.reduce((sum, result) => sum + pick(result) * result.requests.total, 0) / Math.max(1, results.reduce((sum, result) => sum + result.requests.total, 0));
  return {
    rps: Math.round(results.reduce((sum, result) => sum + result.requests.average, 0)),
    // Across processes, a request-weighted mean of each one's percentile: close enough for a table.
    p50_ms: Math.round(weighted((result) => result.latency.p50) * 10) / 10,
    p99_ms: Math.round(weighted((result) => result.latency.p99) * 10) / 10,
    non_2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
  };
}

function closedLoop(baseUrl: string, organizations: SaturationTarget['organizations'], connections: number, durationS: number): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url: `${baseUrl}/v1/sessions`,
    connections,
    duration: durationS,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const organization = organizations[next++ % organizations.length]!;
          return {
            ...request,
            headers: { authorization: `Bearer ${organization.secretKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ assistant_id: organization.assistantId }),
          };
        },
      },
    ],
  });
}
