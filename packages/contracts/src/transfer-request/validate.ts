import { TypeCompiler } from '@sinclair/typebox/compiler';
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { parseAmount } from '../common/decimal.js';
import { INSTANCE_ID_RULE } from '../common/ids.js';
import { type Problem, ProblemList, pointerToPath, type ValidationResult } from '../common/problems.js';
import { nameKey } from '../common/serial-identity.js';
import { TransferItemBody, TransferRequestBody } from './body.schema.js';
import {
  MAX_TEXT_LENGTH,
  SERIAL_PATTERN,
  type TransferItem,
  type TransferRequest,
} from './transfer-request.schema.js';

export const DEFAULT_MAX_SERIALS_PER_TRANSFER = 100_000;
export const DEFAULT_MAX_ITEMS_PER_TRANSFER = 1000;
export const DEFAULT_MAX_PROBLEMS = 1000;

export interface TransferRequestValidatorOptions {
  /** Most serials one transfer may carry, across all items (default 100,000). */
  readonly maxSerials?: number;
  /** Most items one transfer may carry (default 1,000). */
  readonly maxItems?: number;
  /** Most problems listed in one answer; the rest are counted (default 1,000). */
  readonly maxProblems?: number;
}

export type TransferRequestValidator = (body: unknown) => ValidationResult<TransferRequest>;

const bodyChecker = TypeCompiler.Compile(TransferRequestBody);

const REQUIRED_TEXT = [
  'supplier',
  'company_a_name',
  'company_b_customer_name',
  'company_a_supplier_name',
  'company_a_warehouse',
  'company_b_warehouse',
] as const;
const OPTIONAL_TEXT = ['company_b_name', 'reference'] as const;
const INSTANCE_FIELDS = ['company_a_instance_id', 'company_b_instance_id'] as const;
const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A serial ERPNext keeps whole: no comma, no line break, no control character. */
const SERIAL = new RegExp(SERIAL_PATTERN);
// biome-ignore lint/suspicious/noControlCharactersInRegex: line breaks are exactly what this finds.
const LINE_BREAK = /[\n\r\u000b\u000c\u0085\u2028\u2029]/;

/**
 * Builds the transfer request validator. It checks the body's shape against the TypeBox schema,
 * then every rule beyond the types, and answers either the normalized request or **all** the
 * problems found (one per path, up to maxProblems), each naming its path.
 */
export function createTransferRequestValidator(
  options: TransferRequestValidatorOptions = {},
): TransferRequestValidator {
  const limits = {
    maxSerials: options.maxSerials ?? DEFAULT_MAX_SERIALS_PER_TRANSFER,
    maxItems: options.maxItems ?? DEFAULT_MAX_ITEMS_PER_TRANSFER,
  };
  const maxProblems = options.maxProblems ?? DEFAULT_MAX_PROBLEMS;
  return (body) => validate(body, limits, maxProblems);
}

interface Limits {
  readonly maxSerials: number;
  readonly maxItems: number;
}

/** The validator with the default limits. */
export const validateTransferRequest: TransferRequestValidator = createTransferRequestValidator();

function validate(body: unknown, limits: Limits, maxProblems: number): ValidationResult<TransferRequest> {
  const problems = new ProblemList(maxProblems);
  if (!bodyChecker.Check(body)) {
    for (const error of bodyChecker.Errors(body)) problems.add(pointerToPath(error.path), describe(error));
  }
  if (!isRecord(body)) return { ok: false, problems: problems.toArray(inDocumentOrder) };

  const out: Record<string, unknown> = {};
  for (const field of INSTANCE_FIELDS) {
    const id = instanceId(body[field]);
    if (id === undefined) continue;
    if (INSTANCE_ID.test(id)) out[field] = id;
    else problems.add(field, INSTANCE_ID_RULE);
  }
  for (const field of [...REQUIRED_TEXT, ...OPTIONAL_TEXT]) {
    const value = checkText(body[field], field, problems);
    if (value !== undefined) out[field] = value;
  }
  if (typeof body.schedule_date === 'string') {
    const message = dateProblem(body.schedule_date);
    if (message) problems.add('schedule_date', message);
    else out.schedule_date = body.schedule_date;
  }
  const items = Array.isArray(body.items) ? checkItems(body.items, limits, problems) : [];
  out.items = items;

  if (problems.size > 0) return { ok: false, problems: problems.toArray(inDocumentOrder) };
  // Every field has passed its rule above, so `out` has the TransferRequest shape (a property
  // test checks the output against the TransferRequest schema).
  return { ok: true, value: out as unknown as TransferRequest };
}

function checkItems(items: unknown[], limits: Limits, problems: ProblemList): TransferItem[] {
  const out: TransferItem[] = [];
  const itemCodes = new Map<string, number>();
  const serialsSeen = new Map<string, string>();
  let serialCount = 0;

  items.forEach((item, i) => {
    if (!isRecord(item)) return;
    const at = `items[${i}]`;
    const itemCode = checkText(item.item_code, `${at}.item_code`, problems);
    if (itemCode !== undefined) {
      const first = itemCodes.get(nameKey(itemCode));
      if (first === undefined) itemCodes.set(nameKey(itemCode), i);
      else
        problems.add(
          `${at}.item_code`,
          `repeats items[${first}].item_code (item codes compare case-insensitively, as in ERPNext): list each item once, with all its serials`,
        );
    }
    const rate = checkAmount(item.rate, `${at}.rate`, problems);
    const transferRate =
      item.transfer_rate === undefined
        ? rate
        : checkAmount(item.transfer_rate, `${at}.transfer_rate`, problems);

    const serials: string[] = [];
    if (Array.isArray(item.serials)) {
      serialCount += item.serials.length;
      if (Number.isInteger(item.qty) && (item.qty as number) >= 1 && item.serials.length !== item.qty) {
        problems.add(
          `${at}.serials`,
          `has ${item.serials.length} serial${item.serials.length === 1 ? '' : 's'} but qty is ${item.qty}: give one serial per unit`,
        );
      }
      item.serials.forEach((raw, j) => {
        if (typeof raw !== 'string') return;
        const path = `${at}.serials[${j}]`;
        const serial = raw.trim();
        const message = serialProblem(serial);
        if (message) {
          problems.add(path, message);
          return;
        }
        const key = nameKey(serial);
        const first = serialsSeen.get(key);
        if (first === undefined) serialsSeen.set(key, path);
        else
          problems.add(path, `repeats ${first} (serial numbers compare case-insensitively, as in ERPNext)`);
        serials.push(serial);
      });
    }
    if (itemCode !== undefined && rate !== undefined && transferRate !== undefined) {
      out.push({ item_code: itemCode, qty: item.qty as number, rate, transfer_rate: transferRate, serials });
    }
  });

  // Both caps concern the whole list, so they share the path `items` (one problem per path).
  const caps: string[] = [];
  if (items.length > limits.maxItems) {
    caps.push(
      `are ${items.length.toLocaleString('en')} items; a transfer takes at most ${limits.maxItems.toLocaleString('en')}`,
    );
  }
  if (serialCount > limits.maxSerials) {
    caps.push(
      `carry ${serialCount.toLocaleString('en')} serials in all; a transfer takes at most ${limits.maxSerials.toLocaleString('en')}`,
    );
  }
  if (caps.length > 0) problems.add('items', `${caps.join(', and ')}: split it into several transfers`);
  return out;
}

function serialProblem(serial: string): string | undefined {
  if (serial === '') return 'must not be empty';
  if (serial.length > MAX_TEXT_LENGTH) {
    return `must be at most ${MAX_TEXT_LENGTH} characters (it has ${serial.length})`;
  }
  if (SERIAL.test(serial)) return undefined;
  if (serial.includes(',')) return 'must not contain a comma (ERPNext splits serial numbers on commas)';
  if (LINE_BREAK.test(serial))
    return 'must not contain a line break (ERPNext splits serial numbers on line breaks)';
  return 'must not contain control characters';
}

function checkText(value: unknown, path: string, problems: ProblemList): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') problems.add(path, 'must not be empty');
  else if (text.length > MAX_TEXT_LENGTH) {
    problems.add(path, `must be at most ${MAX_TEXT_LENGTH} characters (it has ${text.length})`);
  } else return text;
  return undefined;
}

function checkAmount(value: unknown, path: string, problems: ProblemList): string | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const amount = parseAmount(value);
  if (amount.ok) return amount.value;
  problems.add(path, amount.message);
  return undefined;
}

function instanceId(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return undefined;
}

function dateProblem(value: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return 'must be a date written YYYY-MM-DD';
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return `is not a calendar date (${value})`;
  }
  return undefined;
}

const FIELD_ORDER = [
  ...Object.keys(TransferRequestBody.properties),
  ...Object.keys(TransferItemBody.properties),
];

/** Problems sorted as their fields stand in the request (schema order, then index), not as found. */
function inDocumentOrder(problems: Problem[]): Problem[] {
  const rank = (segment: string) => {
    const i = FIELD_ORDER.indexOf(segment);
    return i === -1 ? FIELD_ORDER.length : i;
  };
  const key = (path: string) => path.split(/[.[\]]+/).filter((s) => s !== '');
  return problems
    .map((problem) => ({ problem, segments: key(problem.path) }))
    .sort((x, y) => {
      for (let i = 0; i < Math.min(x.segments.length, y.segments.length); i++) {
        const [a = '', b = ''] = [x.segments[i], y.segments[i]];
        if (a === b) continue;
        const numeric = /^\d+$/.test(a) && /^\d+$/.test(b);
        return numeric ? Number(a) - Number(b) : rank(a) - rank(b) || a.localeCompare(b);
      }
      return x.segments.length - y.segments.length;
    })
    .map(({ problem }) => problem);
}

/** Words for a TypeBox shape error; a schema may carry its own `errorMessage`. */
function describe(error: ValueError): string {
  if (error.type === ValueErrorType.ObjectRequiredProperty) return 'is required';
  const custom = (error.schema as { errorMessage?: unknown }).errorMessage;
  if (typeof custom === 'string') return custom;
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return 'is not a known field';
    case ValueErrorType.Object:
      return error.path === '' ? 'the body must be a JSON object' : 'must be an object';
    case ValueErrorType.String:
      return 'must be a string';
    case ValueErrorType.Integer:
      return 'must be a whole number';
    case ValueErrorType.IntegerMinimum:
      return `must be at least ${String(error.schema.minimum)}`;
    case ValueErrorType.Array:
      return 'must be an array';
    case ValueErrorType.ArrayMinItems:
      return `must have at least ${String(error.schema.minItems)} entry`;
    default:
      return error.message;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
