export { answerProblems, checkAnswer, fits } from './api/check-answer.js';
export { ApiClient, type ApiClientOptions, causeOf, errorFailure, type Service } from './api/client.js';
export * as schemas from './api/schemas.js';
export { readSse, type SseMessage, SseParser } from './api/sse.js';
export { runCli } from './cli.js';
export { COMMANDS } from './commands/index.js';
export { ConfigFile, Profile } from './config/config-file.js';
export {
  type ConfigSources,
  DEFAULT_INTAKE_URL,
  DEFAULT_TRACKER_URL,
  type ResolvedConfig,
  readToken,
  resolveConfig,
} from './config/resolve-config.js';
export { CliFailure, EXIT_CODES, type FailureKind, failureKindOfStatus } from './failure.js';
export { type CliIo, DEFAULT_TIMING, type OutStream, type WatchTiming } from './io.js';
export { followTransfer } from './watch/follow-transfer.js';
export { renderFrame, renderNotYetSeen, stepState } from './watch/render-frame.js';
export { exitCodeOfStatus, FINAL_STATUSES, isFinal } from './watch/transfer-status.js';
