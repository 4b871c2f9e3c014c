import { runStepService } from '@interco/bus';
import { poA } from './step.js';

runStepService(poA);
