import { ServiceMetrics } from '@interco/metrics';
import { createLogger, onShutdown, runMain } from '@interco/service';
import { loadIntakeConfig } from './config.js';
import { startIntake } from './start-intake.js';

runMain('intake', async () => {
  const config = loadIntakeConfig();
  const logger = createLogger('intake', { level: config.logLevel });
  const metrics = new ServiceMetrics({
    service: 'intake',
    onRefreshError: (error) => logger.warn({ err: error }, 'metrics: a value could not be read'),
  });
  const intake = await startIntake({ ...config, chunking: config.chunking.limits, logger, metrics });
  onShutdown(logger, () => intake.close());
});
