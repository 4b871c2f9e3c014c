/** What the console's unit tests build their answers from (not compiled into the served files: test-support is excluded from the build). */
import type { StepView } from '../api/types.js';

/** A step that has not run: no attempt, no document, no time. */
export const pendingStep: StepView = {
  status: 'pending',
  attempts: 0,
  documents: [],
  cancelled_documents: [],
  last_error: null,
  waiting: null,
  started_at: null,
  finished_at: null,
  duration_ms: null,
};
