import { createLogger, onShutdown, runMain } from '@interco/service';
import { loadTrackerConfig } from './config.js';
import { startTracker } from './start-tracker.js';

runMain('tracker', async () => {
  const config = loadTrackerConfig();
  const logger = createLogger('tracker', { level: config.logLevel });
  const tracker = await startTracker({ ...config, logger });
  // close(): not ready, HTTP closes, the projector drains its batch (written and acked), NATS drains.
  onShutdown(logger, () => tracker.close());
});
