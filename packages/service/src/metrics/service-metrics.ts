import { ServiceMetrics } from '@interco/metrics';
import type { Logger } from '../logging/logger.js';

/**
 * The service's metrics registry, a refresher that fails (a consumer's info, a count) logged as a
 * warning: what every service's start uses.
 */
export function createServiceMetrics(service: string, logger: Logger): ServiceMetrics {
  return new ServiceMetrics({
    service,
    onRefreshError: (error) => logger.warn({ err: error }, 'metrics: a value could not be read'),
  });
}
