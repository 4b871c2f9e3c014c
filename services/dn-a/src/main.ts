import { runStepService } from '@interco/bus';
import { dnA } from './step.js';

runStepService(dnA);
