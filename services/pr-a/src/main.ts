import { runStepService } from '@interco/bus';
import { prA } from './step.js';

runStepService(prA);
