export { dnA } from './step.js';
