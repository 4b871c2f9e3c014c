export { checkPreflight, poA } from './step.js';
