export { orderOfChunk, prA } from './step.js';
