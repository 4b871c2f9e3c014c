import { makePurchaseReceipt } from '../erpnext/make-purchase-receipt.js';
import type { RequestContext } from '../frappe/context.js';
import type { Doc } from '../frappe/database.js';
import { cancelDoc, doctypeOf, getDoc, insertDoc, submitWholeDoc } from '../frappe/document.js';
import { FrappeError, frappeThrow } from '../frappe/errors.js';
import { parseListArgs, queryList } from '../frappe/list-query.js';
import { docAsDict } from './replies.js';

type Args = Record<string, unknown>;

/** A whitelisted method: its Python parameters (required ones first) and the HTTP verbs it allows. */
interface Method {
  params: Array<{ name: string; required: boolean }>;
  /** `@frappe.whitelist(methods=[...])`; all verbs when absent. */
  verbs?: string[];
  allowGuest?: boolean;
  /** The doctype a call is about, for fault targeting. */
  doctype?(args: Args): string | undefined;
  run(ctx: RequestContext, args: Args): unknown;
}

const p = (name: string, required = true) => ({ name, required });

/** The whitelisted methods the simulator serves, by dotted path. */
export const METHODS: Record<string, Method> = {
  'frappe.auth.get_logged_user': { params: [], run: (ctx) => ctx.user.email },
  'frappe.ping': { params: [], allowGuest: true, run: () => 'pong' },
  // frappe/client.py
  'frappe.client.get_list': {
    params: [
      p('doctype'),
      p('fields', false),
      p('filters', false),
      p('order_by', false),
      p('limit_start', false),
      p('limit_page_length', false),
      p('or_filters', false),
      p('limit', false),
    ],
    doctype: (args) => str(args.doctype),
    run: (ctx, args) =>
      queryList(
        ctx.txn,
        ctx.meta,
        doctypeOf(ctx, String(args.doctype)).name,
        parseListArgs(args, { endpoint: 'get_list' }),
        { now: ctx.now },
      ),
  },
  'frappe.client.get': {
    params: [p('doctype'), p('name', false), p('filters', false)],
    doctype: (args) => str(args.doctype),
    run: (ctx, args) =>
      docAsDict(ctx.meta, getDoc(ctx, String(args.doctype), String(args.name ?? args.doctype))),
  },
  'frappe.client.insert': {
    params: [p('doc')],
    verbs: ['POST', 'PUT'],
    doctype: (args) => str(parseDoc(args.doc).doctype),
    run: (ctx, args) => {
      const { doctype, ...data } = parseDoc(args.doc);
      return docAsDict(ctx.meta, insertDoc(ctx, String(doctype), data));
    },
  },
  'frappe.client.submit': {
    params: [p('doc')],
    verbs: ['POST', 'PUT'],
    doctype: (args) => str(parseDoc(args.doc ?? {}).doctype),
    run: (ctx, args) => docAsDict(ctx.meta, submitWholeDoc(ctx, parseDoc(args.doc))),
  },
  'frappe.client.cancel': {
    params: [p('doctype'), p('name')],
    verbs: ['POST', 'PUT'],
    doctype: (args) => str(args.doctype),
    run: (ctx, args) => docAsDict(ctx.meta, cancelDoc(ctx, String(args.doctype), String(args.name))),
  },
  // erpnext/buying/doctype/purchase_order/purchase_order.py
  'erpnext.buying.doctype.purchase_order.purchase_order.make_purchase_receipt': {
    params: [p('source_name'), p('target_doc', false)],
    doctype: () => 'Purchase Receipt',
    run: (ctx, args) => docAsDict(ctx.meta, makePurchaseReceipt(ctx, String(args.source_name))),
  },
};

/** The doctype a method call is about, when it can be told from its arguments. */
export function methodDoctype(path: string, args: Args): string | undefined {
  try {
    return METHODS[path]?.doctype?.(args);
  } catch {
    return undefined;
  }
}

/**
 * frappe/handler.py execute_cmd: the method must exist and be whitelisted, the verb allowed;
 * arguments are bound as Python binds keyword arguments: unknown ones are dropped, a missing
 * required one is a TypeError (a 500).
 */
export function callMethod(ctx: RequestContext, path: string, verb: string, args: Args): unknown {
  const method = METHODS[path];
  if (method === undefined) {
    // frappe/handler.py execute_cmd wraps frappe.get_attr's failure
    const app = path.split('.')[0] ?? path;
    const why =
      app === 'frappe' || app === 'erpnext'
        ? `module '${path}' has no attribute`
        : `App ${app} is not installed`;
    frappeThrow(`Failed to get method for command ${path} with ${why}`);
  }
  if (!method.allowGuest && ctx.user.email === 'Guest') {
    // frappe/__init__.py is_whitelisted
    frappeThrow(
      `<details><summary>You are not permitted to access this resource.</summary>Function <strong>${path}</strong> is not whitelisted.</details>`,
      'PermissionError',
      'Method Not Allowed',
    );
  }
  if (method.verbs !== undefined && !method.verbs.includes(verb)) {
    // frappe/handler.py is_valid_http_method
    frappeThrow('Not permitted', 'PermissionError');
  }
  const missing = method.params.filter(
    (param) => param.required && (args[param.name] === undefined || args[param.name] === null),
  );
  if (missing.length > 0) {
    const fn = path.split('.').at(-1) ?? path;
    const names = missing.map((m) => `'${m.name}'`);
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
    throw new FrappeError(
      'TypeError',
      `${fn}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list}`,
    );
  }
  const bound: Args = {};
  for (const param of method.params) if (args[param.name] !== undefined) bound[param.name] = args[param.name];
  return method.run(ctx, bound);
}

/** `doc` arrives as an object or as JSON text (frappe.parse_json). */
function parseDoc(value: unknown): Doc {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FrappeError('Exception', "'str' object has no attribute 'get'");
  }
  return parsed as Doc;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
