import { createLogger, onShutdown, runMain } from '@interco/service';
import { loadIntakeConfig } from './config.js';
import { startIntake } from './start-intake.js';

runMain('intake', async () => {
  const config = loadIntakeConfig();
  const logger = createLogger('intake', { level: config.logLevel });
  const intake = await startIntake({ ...config, chunking: config.chunking.limits, logger });
  onShutdown(logger, () => intake.close());
});
