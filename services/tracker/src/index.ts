export {
  COLLECTIONS,
  JournalEntry,
  SerialDocument,
  TransferDocument,
} from './read-model/transfer-document.schema.js';
