import { runStepService } from '@interco/bus';
import { prB } from './step.js';

runStepService(prB);
