// A node's metrics in the Prometheus text exposition format (version 0.0.4), served over HTTP for a
// scraper. The numbers are the runtime's own counters, read when a scrape comes: nothing is
// counted twice, and a node that nobody scrapes pays only for the counters.
import { createServer } from 'node:http';

/** Cumulative histogram with fixed upper bounds, as Prometheus wants it. */
export class Histogram {
  private readonly counts: number[];
  private total = 0;
  private n = 0;

  /** `bounds` ascending, in the unit observed (seconds for latencies). */
  constructor(readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }

  /** Counts one observation in the first bucket whose bound is at or above it. */
  observe(value: number): void {
    this.n++;
    this.total += value;
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= this.bounds[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }

  get count(): number {
    return this.n;
  }

  /** Each bound with the number of observations at or below it, then +Inf. */
  buckets(): [le: string, count: number][] {
    let cumulative = 0;
    const out: [string, number][] = this.bounds.map((b, i) => [String(b), (cumulative += this.counts[i]!)]);
    out.push(['+Inf', this.n]);
    return out;
  }

  get sum(): number {
    return this.total;
  }
}

/** fsync latencies from 50 µs to 1 s: a fast SSD answers in tens of µs, a loaded disk in tens of ms. */
export const SYNC_SECONDS_BOUNDS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] as const;

/** A sample's labels, name to value, written in the order given. */
export type Labels = Readonly<Record<string, string | number>>;

/** One counter or gauge: its name, help text and samples (one per label set). */
export interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly samples: readonly { readonly labels?: Labels; readonly value: number }[];
}

/** The exposition text of `metrics` and of the histograms in `histograms`. */
export function prometheusText(metrics: readonly Metric[], histograms: readonly { name: string; help: string; histogram: Histogram }[] = []): string {
  const lines: string[] = [];
  for (const m of metrics) {
    lines.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
    for (const s of m.samples) lines.push(`${m.name}${labelText(s.labels)} ${s.value}`);
  }
  for (const { name, help, histogram } of histograms) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const [le, count] of histogram.buckets()) lines.push(`${name}_bucket{le="${le}"} ${count}`);
    lines.push(`${name}_sum ${histogram.sum}`, `${name}_count ${histogram.count}`);
  }
  return `${lines.join('\n')}\n`;
}

function labelText(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** A metrics endpoint that is listening: the port it took (useful with port 0), and how to stop it. */
export interface MetricsServer {
  readonly port: number;
  /** Stops listening; scrapes under way finish. */
  close(): void;
}

/**
 * Serves `render()` at /metrics on `host:port` (port 0 picks a free one); resolves with the server
 * once it listens. Any other path is a 404.
 */
export async function serveMetrics(host: string, port: number, render: () => string): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(render());
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const address = server.address();
  return { port: typeof address === 'object' && address !== null ? address.port : port, close: () => { server.close(); } };
}
