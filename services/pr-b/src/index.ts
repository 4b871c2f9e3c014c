export { companyB, deliveryNoteOfChunk, prB } from './step.js';
