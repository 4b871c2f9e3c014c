import { makePurchaseReceipt } from '../erpnext/make-purchase-receipt.js';
import type { RequestContext } from '../frappe/context.js';
import type { Doc } from '../frappe/database.js';
import { cancelDoc, deleteDoc, doctypeOf, getDoc, insertDoc, submitWholeDoc } from '../frappe/document.js';
import { FrappeError, frappeThrow } from '../frappe/errors.js';
import { pyRepr, pyTruthy } from '../frappe/filters.js';
import { parseListArgs, queryList } from '../frappe/list-query.js';
import { docAsDict, docForResponse } from './replies.js';
import { PythonJsonError, pythonJsonLoads } from './request-body.js';

type Args = Record<string, unknown>;

/** A whitelisted method: its Python parameters (required ones first) and the HTTP verbs it allows. */
interface Method {
  params: Array<{ name: string; required: boolean }>;
  /** `@frappe.whitelist(methods=[...])`; GET, POST, PUT and DELETE when absent. */
  verbs?: string[];
  allowGuest?: boolean;
  /** The doctype a call is about, for fault targeting. */
  doctype?(args: Args): string | undefined;
  run(ctx: RequestContext, args: Args): unknown;
}

const p = (name: string, required = true) => ({ name, required });

/** frappe.whitelist's default `methods`. */
const DEFAULT_VERBS = ['GET', 'POST', 'PUT', 'DELETE'];

/** The whitelisted methods the simulator serves, by dotted path. */
export const METHODS: Readonly<Record<string, Method>> = {
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
    params: [p('doctype'), p('name', false), p('filters', false), p('parent', false)],
    doctype: (args) => str(args.doctype),
    run: (ctx, args) => docAsDict(ctx.meta, getByNameOrFilters(ctx, args)),
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
  // frappe.client.has_permission(doctype: str, docname: str, perm_type: str = "read"):
  // {"has_permission": frappe.has_permission(doctype, perm_type.lower(), docname)}
  'frappe.client.has_permission': {
    params: [p('doctype'), p('docname'), p('perm_type', false)],
    doctype: (args) => str(args.doctype),
    run: (ctx, args) => ({ has_permission: hasPermission(ctx, args) }),
  },
  'frappe.client.delete': {
    params: [p('doctype'), p('name')],
    verbs: ['DELETE', 'POST'],
    doctype: (args) => str(args.doctype),
    // frappe.delete_doc(doctype, name, ignore_missing=False); returns None
    run: (ctx, args) => {
      deleteDoc(ctx, String(args.doctype), String(args.name));
      return undefined;
    },
  },
  // erpnext/buying/doctype/purchase_order/purchase_order.py
  'erpnext.buying.doctype.purchase_order.purchase_order.make_purchase_receipt': {
    params: [p('source_name'), p('target_doc', false)],
    doctype: () => 'Purchase Receipt',
    // an unsaved Document, which json_handler writes as as_dict(no_nulls=True)
    run: (ctx, args) => docForResponse(makePurchaseReceipt(ctx, String(args.source_name))),
  },
};

/**
 * Python modules whose attributes the simulator knows (frappe.get_attr imports the module, then
 * looks the name up in it): the modules of the methods above and their parents.
 */
const KNOWN_MODULES = new Set(
  Object.keys(METHODS).flatMap((path) => {
    const parts = path.split('.').slice(0, -1);
    return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
  }),
);
const INSTALLED_APPS = new Set(['frappe', 'erpnext']);

/**
 * frappe.client.get(doctype, name=None, filters=None): by name; else `frappe.get_doc(doctype,
 * parse_json(filters))`, the first record the filters match (frappe.db.get_value, in the
 * doctype's default order, `modified desc`); none is `{doctype} {filters} not found`
 * (DoesNotExistError, 404), the filters as Python prints them. Neither: the single doctype.
 */
function getByNameOrFilters(ctx: RequestContext, args: Args): Doc {
  const doctype = String(args.doctype);
  if (pyTruthy(args.name)) return getDoc(ctx, doctype, String(args.name));
  let filters: unknown = args.filters;
  const emptyDict = typeof filters === 'object' && filters !== null && !Array.isArray(filters);
  // `elif filters or filters == {}`; otherwise frappe.get_doc(doctype): a single doctype
  if (!pyTruthy(filters) && !emptyDict) return getDoc(ctx, doctype, doctype);
  if (typeof filters === 'string') filters = jsonLoads(filters);
  if (typeof filters !== 'object' || filters === null) return getDoc(ctx, doctype, String(filters));
  const def = doctypeOf(ctx, doctype);
  const [first] = queryList(
    ctx.txn,
    ctx.meta,
    def.name,
    parseListArgs(
      { fields: ['name'], filters, order_by: 'modified desc', limit_page_length: 1 },
      { endpoint: 'get_list' },
    ),
    { now: ctx.now },
  );
  if (first === undefined || typeof first.name !== 'string')
    frappeThrow(`${def.name} ${pyRepr(filters)} not found`, 'DoesNotExistError');
  return getDoc(ctx, def.name, first.name);
}

/** frappe/permissions.py rights: the permission types Frappe knows. */
const RIGHTS = new Set([
  'select',
  'read',
  'write',
  'create',
  'delete',
  'submit',
  'cancel',
  'amend',
  'print',
  'email',
  'report',
  'import',
  'export',
  'share',
]);

/**
 * frappe.has_permission(doctype, ptype, doc) as the simulator's users have it: the doctype must
 * exist ("DocType {0} not found", 404); a truthy docname must name an existing document
 * (frappe.get_doc: 404), a falsy one ("") asks about the doctype. Submit and cancel follow the
 * user's cannotSubmit / cannotCancel lists (what document.ts enforces) and are never granted on a
 * doctype that is not submittable (permissions.py says so for submit; for cancel it is unverified,
 * though no role can hold cancel there); creating, changing or deleting Custom Fields needs System
 * Manager (as custom-field.ts enforces); every other right Frappe knows is granted (the simulator
 * has no role permissions beyond these); an unknown one is not.
 *
 * Real v15 validates the argument types of whitelisted methods in a request (typing_validations.py,
 * `docname: str`, no `from __future__ import annotations` in client.py), so a JSON null docname is
 * refused there (FrappeTypeError); the simulator's binder refuses it as a missing argument
 * (TypeError, 500). Ask about the doctype with `docname: ""`.
 */
function hasPermission(ctx: RequestContext, args: Args): boolean {
  const def = doctypeOf(ctx, String(args.doctype));
  if (pyTruthy(args.docname)) getDoc(ctx, def.name, String(args.docname));
  const ptype = typeof args.perm_type === 'string' ? args.perm_type.toLowerCase() : 'read';
  if (ptype === 'submit' || ptype === 'cancel') {
    if (!def.isSubmittable) return false;
    const denied = ptype === 'submit' ? ctx.user.cannotSubmit : ctx.user.cannotCancel;
    return !(denied ?? []).includes(def.name);
  }
  if (def.name === 'Custom Field' && (ptype === 'create' || ptype === 'write' || ptype === 'delete')) {
    return ctx.user.systemManager !== false;
  }
  return RIGHTS.has(ptype);
}

/** The doctype a method call is about, when it can be told from its arguments. */
export function methodDoctype(path: string, args: Args): string | undefined {
  try {
    return Object.hasOwn(METHODS, path) ? METHODS[path]?.doctype?.(args) : undefined;
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
  const method = Object.hasOwn(METHODS, path) ? METHODS[path] : undefined;
  if (method === undefined) {
    // frappe/handler.py execute_cmd wraps get_attr's failure: "Failed to get method for command
    // {cmd} with {e}". A name without a dot is looked up in the handler's globals() (KeyError);
    // a dotted one needs an installed app, then an importable module, then the attribute.
    frappeThrow(`Failed to get method for command ${path} with ${whyNotFound(path)}`);
  }
  if (!method.allowGuest && ctx.user.email === 'Guest') {
    // frappe/__init__.py is_whitelisted
    frappeThrow(
      `<details><summary>You are not permitted to access this resource.</summary>Function <strong>${path}</strong> is not whitelisted.</details>`,
      'PermissionError',
      'Method Not Allowed',
    );
  }
  if (!(method.verbs ?? DEFAULT_VERBS).includes(verb)) {
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

/** frappe.parse_json on text: json.loads, whose failure is a JSONDecodeError (500). */
function jsonLoads(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return pythonJsonLoads(text);
    } catch (error) {
      if (error instanceof PythonJsonError) throw new FrappeError('JSONDecodeError', error.message);
      throw error;
    }
  }
}

/** str(e) of the exception frappe.get_attr raised for an unknown method. */
function whyNotFound(path: string): string {
  if (!path.includes('.')) return pyRepr(path);
  const app = path.split('.')[0] ?? path;
  if (!INSTALLED_APPS.has(app)) return `App ${app} is not installed`;
  const module = path.split('.').slice(0, -1).join('.');
  const attribute = path.split('.').at(-1) ?? '';
  if (!KNOWN_MODULES.has(module)) return `No module named ${pyRepr(module)}`;
  return `module ${pyRepr(module)} has no attribute ${pyRepr(attribute)}`;
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
