export { type DecimalResult, parseAmount } from './common/decimal.js';
export { registerFormats } from './common/formats.js';
export {
  EventId,
  INSTANCE_ID_RULE,
  InstanceId,
  newEventId,
  newTransferId,
  newUlid,
  TransferId,
} from './common/ids.js';
export {
  formatPath,
  type PathSegment,
  Problem,
  ProblemList,
  pointerToPath,
  type ValidationResult,
} from './common/problems.js';
export { nameKey } from './common/serial-identity.js';
export { nextStep, previousStep, STEP_INFO, STEPS, type Step, type StepInfo } from './common/steps.js';
export {
  type DataOf,
  type Envelope,
  EVENT_SCHEMAS,
  EVENT_TYPES,
  type EventOf,
  type EventType,
  type IntercoEvent,
  IntercoEventSchema,
  isEventType,
  isStepEventType,
  kindOf,
  STEP_EVENT_DATA,
  STEP_EVENT_KINDS,
  type StepEventKind,
  type StepEventType,
  stepOf,
  TRANSFER_EVENT_DATA,
  TRANSFER_EVENT_TYPES,
  type TransferEventType,
} from './events/catalogue.js';
export * from './events/data.schema.js';
export { EnvelopeAttributes, eventSchema, SCHEMA_VERSION } from './events/envelope.js';
export { type EventContext, newEvent } from './events/new-event.js';
export { decodeEvent, encodeEvent, parseEvent } from './events/parse-event.js';
export {
  allEventsFilter,
  DEFAULT_SUBJECT_PREFIX,
  eventSubject,
  eventTypeFilter,
  messageId,
  transferFilter,
} from './events/subjects.js';
export { TransferItemBody, TransferRequestBody } from './transfer-request/body.schema.js';
export {
  IsoDate,
  MAX_TEXT_LENGTH,
  SERIAL_PATTERN,
  Serial,
  TransferItem,
  TransferRequest,
} from './transfer-request/transfer-request.schema.js';
export {
  createTransferRequestValidator,
  DEFAULT_MAX_ITEMS_PER_TRANSFER,
  DEFAULT_MAX_PROBLEMS,
  DEFAULT_MAX_SERIALS_PER_TRANSFER,
  type TransferRequestValidator,
  type TransferRequestValidatorOptions,
  validateTransferRequest,
} from './transfer-request/validate.js';
export { evolve, foldTransfer, initialTransferState } from './transfer-state/evolve.js';
export {
  type Evolution,
  StepState,
  StepStatus,
  type TransferChange,
  TransferState,
  TransferStatus,
} from './transfer-state/transfer-state.schema.js';
