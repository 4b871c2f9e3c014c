/** Errors of calls to ERPNext: the typed ErpnextError and the one function that makes them. */
export { type ClassifyContext, classify, type Outcome, type ResponseHeaders } from './classify.js';
export { ErpnextConfigError } from './config-error.js';
export {
  ErpnextError,
  type ErpnextErrorInit,
  type ErpnextErrorKind,
  type ErpnextErrorReason,
  type MarkerField,
} from './erpnext-error.js';
export { type DecodedErrorBody, decodeErrorBody, decodeServerMessages } from './frappe-body.js';
export { parseRetryAfter } from './retry-after.js';
