/** The Prometheus text exposition format's content type (format 0.0.4). */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A /metrics answer: its content type and body. */
export interface MetricsExposition {
  readonly contentType: string;
  readonly body: string;
}

/** Whatever renders a /metrics answer (ServiceMetrics does); what the HTTP servers take. */
export interface MetricsSource {
  render(): Promise<MetricsExposition>;
}
