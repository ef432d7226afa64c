import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { registry } from '../../core/metrics/registry.ts';

// When several processes share the port (ECHOSPHERE_PROCESSES), a scrape lands on any one of them, so each answers
// `/metrics` for the whole group: it asks the supervising process, which gathers every process's registry through
// prom-client's cluster aggregation (counters summed, gauges aggregated as each metric declares).
const REQUEST = 'echosphere:metrics-request';
const RESPONSE = 'echosphere:metrics-response';
const TIMEOUT_MS = 5000;

interface MetricsResponse {
  type: typeof RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

const pending = new Map<number, (response: MetricsResponse) => void>();
let nextId = 0;

if (cluster.isWorker) {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // answers the supervisor's requests for this process's metrics
  process.on('message', (message: MetricsResponse) => {
    if (message?.type === RESPONSE) pending.get(message.id)?.(message);
  });
}

/** This process's metrics, or the group's when it is one of several processes sharing the port. */
export async function renderMetrics(): Promise<string> {
  if (!cluster.isWorker) return registry.metrics();
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => settle({ type: RESPONSE, id, error: 'the supervising process did not answer' }), TIMEOUT_MS);
    function settle(response: MetricsResponse) {
      clearTimeout(timer);
      pending.delete(id);
      if (response.text !== undefined) resolve(response.text);
      else reject(new Error(`metrics of the process group: ${response.error}`));
    }
    pending.set(id, settle);
    process.send!({ type: REQUEST, id });
  });
}

/** In the supervising process: answers the processes' requests with the group's aggregated metrics. */
export function serveGroupMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== REQUEST) return;
    const reply = (response: Omit<MetricsResponse, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id: message.id, ...response });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: String(error) }),
    );
  });
}
