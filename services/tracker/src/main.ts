import { ServiceMetrics } from '@interco/metrics';
import { createLogger, onShutdown, runMain } from '@interco/service';
import { loadTrackerConfig } from './config.js';
import { startTracker } from './start-tracker.js';

runMain('tracker', async () => {
  const config = loadTrackerConfig();
  const logger = createLogger('tracker', { level: config.logLevel });
  const metrics = new ServiceMetrics({
    service: 'tracker',
    onRefreshError: (error) => logger.warn({ err: error }, 'metrics: a value could not be read'),
  });
  const tracker = await startTracker({ ...config, logger, metrics });
  // close(): not ready, HTTP closes, the projector drains its batch (written and acked), NATS drains.
  onShutdown(logger, () => tracker.close());
});
