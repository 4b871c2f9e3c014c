import { randomBytes } from 'node:crypto';
import { nameKey } from '@interco/contracts';
import type { RequestContext } from './context.js';
import { frappeDate, frappeDatetime, frappeTime } from './context.js';
import type { Doc } from './database.js';
import { FrappeError, frappeRaise, frappeThrow, plainMessage, raisedMessage } from './errors.js';
import { cstr, pyTruthy } from './filters.js';
import type { DocTypeDef, FieldDef } from './meta.js';
import { CHILD_FIELDS, STANDARD_FIELDS } from './meta.js';

/**
 * The lifecycle of a document, as frappe/model/document.py runs it: insert, save (with the
 * `modified` check and docstatus transitions), submit, cancel, delete. Each step validates
 * links, mandatory fields and lengths, runs the doctype's controller and writes to the request's
 * transaction; an exception anywhere leaves the transaction to be rolled back.
 */

const MAX_DATA_LENGTH = 140;
/** MariaDB TEXT: 65,535 bytes. */
const MAX_TEXT_BYTES = 65_535;

export function doctypeOf(ctx: RequestContext, doctype: string): DocTypeDef {
  const def = ctx.meta.get(doctype);
  // frappe/model/meta.py load_doctype_from_file / get_meta: "DocType {0} not found"
  if (def === undefined) frappeThrow(`DocType ${doctype} not found`, 'DoesNotExistError');
  return def;
}

/** frappe.get_doc(doctype, name): "{doctype} {name} not found" (DoesNotExistError, 404). */
export function getDoc(ctx: RequestContext, doctype: string, name: string): Doc {
  const def = doctypeOf(ctx, doctype);
  if (def.issingle) return getSingle(ctx, def);
  const doc = ctx.txn.get(doctype, name);
  if (doc === undefined) frappeThrow(`${doctype} ${name} not found`, 'DoesNotExistError');
  return doc;
}

/** A single doctype (Buying Settings...): its one record, with defaults for unset fields. */
export function getSingle(ctx: RequestContext, def: DocTypeDef): Doc {
  const stored = ctx.txn.get(def.name, def.name);
  const doc: Doc = { doctype: def.name, name: def.name, docstatus: 0, ...(stored ?? {}) };
  for (const field of def.fields) {
    if (doc[field.fieldname] === undefined && field.default !== undefined)
      doc[field.fieldname] = field.default;
  }
  return doc;
}

/** Inserts a document; with `docstatus: 1` it is submitted in the same transaction. */
export function insertDoc(ctx: RequestContext, doctype: string, data: Record<string, unknown>): Doc {
  const def = doctypeOf(ctx, doctype);
  if (def.issingle || def.istable) frappeThrow(`Cannot insert ${doctype} directly`, 'ValidationError');
  const docstatus = toDocstatus(data.docstatus);
  if (docstatus === 2)
    frappeRaise('DocstatusTransitionError', 'Cannot change docstatus from 0 (Draft) to 2 (Cancelled)');
  if (docstatus === 1) requireSubmittable(def);

  const doc = buildDoc(ctx, def, data);
  doc.docstatus = docstatus;
  setDefaults(ctx, def, doc);
  stampNew(ctx, doc);
  // check_if_latest -> check_docstatus_transition(0): submit permission, before _validate_links
  if (docstatus === 1) checkPermission(ctx, def, 'submit');
  validateLinks(ctx, def, doc);
  setName(ctx, def, doc);
  setChildren(ctx, def, doc);
  runValidate(ctx, def, doc, undefined);
  if (ctx.txn.exists(doctype, doc.name)) {
    // frappe/model/base_document.py db_insert: a primary key violation, shown then raised
    throw new FrappeError(
      'DuplicateEntryError',
      `('${doctype}', '${doc.name}', IntegrityError(1062, "Duplicate entry '${doc.name}' for key 'PRIMARY'"))`,
      [
        {
          message: `${doctype} <strong>${doc.name}</strong> already exists`,
          title: 'Duplicate Name',
          indicator: 'red',
        },
      ],
    );
  }
  ctx.txn.put(doc);
  if (docstatus === 1) ctx.controllers[doctype]?.onSubmit?.(ctx, doc);
  return ctx.txn.get(doctype, doc.name) ?? doc;
}

/**
 * Saves changes to a stored document (PUT /api/resource): `doc.update(data); doc.save()`.
 * `docstatus` in the changes submits (0 -> 1) or cancels (1 -> 2).
 */
export function updateDoc(
  ctx: RequestContext,
  doctype: string,
  name: string,
  changes: Record<string, unknown>,
): Doc {
  const def = doctypeOf(ctx, doctype);
  if (def.issingle) return saveSingle(ctx, def, changes);
  const stored = getDoc(ctx, doctype, name);
  const updated = buildDoc(ctx, def, { ...stored, ...withoutStandard(changes), name: stored.name }, stored);
  updated.docstatus = changes.docstatus === undefined ? stored.docstatus : toDocstatus(changes.docstatus);
  // check_if_latest: the `modified` the client sent must be the stored one.
  const modified = changes.modified === undefined ? stored.modified : changes.modified;
  return save(ctx, def, updated, stored, modified);
}

/** frappe.client.submit(doc): the whole document as read, submitted; its `modified` is checked. */
export function submitWholeDoc(ctx: RequestContext, docDict: Record<string, unknown>): Doc {
  const doctype = String(docDict.doctype ?? '');
  const def = doctypeOf(ctx, doctype);
  requireSubmittable(def);
  if (typeof docDict.name !== 'string' || !ctx.txn.exists(doctype, docDict.name)) {
    return insertDoc(ctx, doctype, { ...docDict, docstatus: 1 });
  }
  const stored = getDoc(ctx, doctype, docDict.name);
  const updated = buildDoc(ctx, def, { ...docDict, name: stored.name }, stored);
  updated.docstatus = 1;
  return save(ctx, def, updated, stored, docDict.modified);
}

/** frappe.client.cancel(doctype, name). */
export function cancelDoc(ctx: RequestContext, doctype: string, name: string): Doc {
  const def = doctypeOf(ctx, doctype);
  const stored = getDoc(ctx, doctype, name);
  const updated = structuredClone(stored);
  updated.docstatus = 2;
  return save(ctx, def, updated, stored, stored.modified);
}

/** frappe.delete_doc: drafts and cancelled documents only, and nothing may link to them. */
export function deleteDoc(ctx: RequestContext, doctype: string, name: string): void {
  const def = doctypeOf(ctx, doctype);
  // frappe.delete_doc(ignore_missing=False) raises DoesNotExistError(doctype=...) without a message
  const stored = ctx.txn.get(doctype, name) ?? frappeRaise('DoesNotExistError', '');
  if (stored.docstatus === 1) {
    // frappe/model/delete_doc.py check_permission_and_not_submitted
    frappeThrow(
      `${doctype} ${stored.name}: Submitted Record cannot be deleted. You must <a href='https://docs.erpnext.com//docs/user/manual/en/setting-up/articles/delete-submitted-document' target='_blank'> Cancel </a> it first.`,
      'ValidationError',
    );
  }
  try {
    checkNoLinks(ctx, def, stored, 'delete');
  } catch (error) {
    // delete_doc: a doctype that can be disabled says so instead (the first message stays logged)
    const canDisable = def.fields.some((f) => f.fieldname === 'enabled' || f.fieldname === 'disabled');
    if (!(error instanceof FrappeError) || error.excType !== 'LinkExistsError' || !canDisable) throw error;
    const message = `You can disable this ${def.name} instead of deleting it.`;
    throw new FrappeError('LinkExistsError', message, [...error.messages, raisedMessage(message)]);
  }
  ctx.txn.delete(doctype, stored.name);
}

function save(ctx: RequestContext, def: DocTypeDef, doc: Doc, stored: Doc, clientModified: unknown): Doc {
  const from = toDocstatus(stored.docstatus);
  const to = toDocstatus(doc.docstatus);
  if (String(clientModified) !== String(stored.modified)) {
    // frappe/model/document.py check_if_latest (late v15 wording); the second time is the new now()
    frappeThrow(
      `Error: ${doc.name} (${def.name}) has been modified after you have opened it (${String(stored.modified)}, ${frappeDatetime(ctx.now)}). Please refresh to get the latest document.`,
      'TimestampMismatchError',
    );
  }
  const action = transition(def, from, to);
  if (action === 'submit') checkPermission(ctx, def, 'submit');
  if (action === 'cancel') checkPermission(ctx, def, 'cancel');

  doc.modified = frappeDatetime(ctx.now);
  doc.modified_by = ctx.user.email;
  const controller = ctx.controllers[def.name];
  if (action === 'cancel') {
    controller?.beforeCancel?.(ctx, doc);
    setChildren(ctx, def, doc);
    ctx.txn.put(doc);
    controller?.onCancel?.(ctx, doc);
    // document.py run_post_save_methods: on_cancel, then check_no_back_links_exist
    checkNoLinks(ctx, def, stored, 'cancel');
  } else {
    validateLinks(ctx, def, doc);
    setChildren(ctx, def, doc);
    if (action === 'update_after_submit') checkUpdateAfterSubmit(ctx, def, doc, stored);
    else runValidate(ctx, def, doc, stored);
    ctx.txn.put(doc);
    if (action === 'submit') controller?.onSubmit?.(ctx, doc);
  }
  return ctx.txn.get(def.name, doc.name) ?? doc;
}

type Action = 'save' | 'submit' | 'update_after_submit' | 'cancel';

/** frappe/model/document.py check_docstatus_transition. */
function transition(def: DocTypeDef, from: number, to: number): Action {
  if (from === 0) {
    if (to === 0) return 'save';
    if (to === 1) {
      requireSubmittable(def);
      return 'submit';
    }
    frappeRaise('DocstatusTransitionError', 'Cannot change docstatus from 0 (Draft) to 2 (Cancelled)');
  }
  if (from === 1) {
    if (to === 1) return 'update_after_submit';
    if (to === 2) return 'cancel';
    frappeRaise('DocstatusTransitionError', 'Cannot change docstatus from 1 (Submitted) to 0 (Draft)');
  }
  frappeRaise('ValidationError', 'Cannot edit cancelled document');
}

function requireSubmittable(def: DocTypeDef): void {
  if (!def.isSubmittable) frappeRaise('ValidationError', `${def.name} is not submittable`);
}

/**
 * frappe/model/document.py validate_update_after_submit and base_document.py
 * _validate_update_after_submit: on a submitted document only allow_on_submit fields may change.
 * A Table field compares its row count; then each row still matched by `name` compares its own
 * fields, prefixed "Row #{idx}:" (the parent's prefix is empty, so its message starts with a
 * space). Rows without a stored match are left alone (Frappe would fail loading them from the
 * database instead; the simulator does not copy that). Read-only fields, which only controllers
 * set, are not compared. Numbers print as JavaScript does ("2", where Python would say "2.0").
 */
function checkUpdateAfterSubmit(ctx: RequestContext, def: DocTypeDef, doc: Doc, stored: Doc): void {
  compareSubmitted(def, doc, stored, '');
  for (const field of def.fields) {
    if (field.fieldtype !== 'Table') continue;
    const childDef = ctx.meta.get(field.options ?? '');
    if (childDef === undefined) continue;
    const before = new Map(tableRows(stored[field.fieldname]).map((row) => [row.name, row]));
    for (const row of tableRows(doc[field.fieldname])) {
      const previous = before.get(row.name);
      if (previous !== undefined) compareSubmitted(childDef, row, previous, `Row #${String(row.idx)}:`);
    }
  }
}

function compareSubmitted(def: DocTypeDef, doc: Doc, stored: Doc, prefix: string): void {
  for (const field of def.fields) {
    if (field.allowOnSubmit || field.readOnly) continue;
    let now: unknown = doc[field.fieldname];
    let then: unknown = stored[field.fieldname];
    if (field.fieldtype === 'Table') {
      // "just check if the table size has changed"
      now = tableRows(now).length;
      then = tableRows(then).length;
    }
    if (!pyTruthy(now) && !pyTruthy(then)) continue;
    if (normalize(now) === normalize(then)) continue;
    frappeThrow(
      `${prefix} Not allowed to change <strong>${field.label}</strong> after submission from <strong>${normalize(then)}</strong> to <strong>${normalize(now)}</strong>`,
      'UpdateAfterSubmitError',
      'Cannot Update After Submit',
    );
  }
}

function tableRows(value: unknown): Doc[] {
  return Array.isArray(value) ? (value as Doc[]) : [];
}

function normalize(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

/** frappe/model/document.py raise_no_permission_to. */
function checkPermission(ctx: RequestContext, def: DocTypeDef, perm: 'submit' | 'cancel'): void {
  const denied = perm === 'submit' ? ctx.user.cannotSubmit : ctx.user.cannotCancel;
  if (denied?.includes(def.name)) {
    throw new FrappeError(
      'PermissionError',
      '',
      [],
      `Insufficient Permission for ${def.name} (<strong>${perm}</strong>)`,
    );
  }
}

/** Builds a document from client data: known fields only, child rows with their own fields. */
function buildDoc(ctx: RequestContext, def: DocTypeDef, data: Record<string, unknown>, stored?: Doc): Doc {
  const doc: Doc = { doctype: def.name, name: typeof data.name === 'string' ? data.name : '' };
  for (const key of STANDARD_FIELDS) if (stored?.[key] !== undefined) doc[key] = stored[key];
  for (const field of def.fields) {
    const value = data[field.fieldname];
    if (value === undefined) continue;
    if (field.fieldtype === 'Table') {
      const childDef = doctypeOf(ctx, field.options ?? '');
      const rows = Array.isArray(value) ? value : [];
      doc[field.fieldname] = rows.map((row, i) => ({
        ...buildChild(childDef, isRecord(row) ? row : {}),
        idx: i + 1,
      }));
    } else {
      doc[field.fieldname] = coerce(field, value);
    }
  }
  return doc;
}

function buildChild(def: DocTypeDef, data: Record<string, unknown>): Doc {
  const row: Doc = { doctype: def.name, name: typeof data.name === 'string' ? data.name : '' };
  for (const field of def.fields) {
    if (data[field.fieldname] !== undefined) row[field.fieldname] = coerce(field, data[field.fieldname]);
  }
  return row;
}

/** Values as the database column types keep them (numbers for numeric fields, 0/1 for checks). */
function coerce(field: FieldDef, value: unknown): unknown {
  if (value === null) return null;
  switch (field.fieldtype) {
    case 'Int':
    case 'Check': {
      const n = Number(value);
      return Number.isFinite(n) ? Math.trunc(n) : 0;
    }
    case 'Float':
    case 'Currency':
    case 'Percent': {
      const n = Number(value);
      return Number.isFinite(n) ? n : 0;
    }
    default:
      return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : value;
  }
}

/** frappe/model/document.py _set_defaults: field defaults; "Today" and "Now" resolved. */
function setDefaults(ctx: RequestContext, def: DocTypeDef, doc: Doc): void {
  for (const field of def.fields) {
    if (field.fieldtype === 'Table') {
      if (doc[field.fieldname] === undefined) doc[field.fieldname] = [];
      const childDef = ctx.meta.get(field.options ?? '');
      if (childDef === undefined) continue;
      for (const row of doc[field.fieldname] as Doc[]) setDefaults(ctx, childDef, row);
      continue;
    }
    if (doc[field.fieldname] !== undefined && doc[field.fieldname] !== null && doc[field.fieldname] !== '')
      continue;
    if (field.default === undefined) continue;
    doc[field.fieldname] =
      field.default === 'Today'
        ? frappeDate(ctx.now)
        : field.default === 'Now'
          ? frappeTime(ctx.now)
          : field.default;
  }
}

function stampNew(ctx: RequestContext, doc: Doc): void {
  const now = frappeDatetime(ctx.now);
  doc.owner = ctx.user.email;
  doc.creation = now;
  doc.modified = now;
  doc.modified_by = ctx.user.email;
}

/** frappe/model/naming.py: naming series per year (PUR-ORD-.YYYY.- -> PUR-ORD-2026-00001), fields, hashes. */
function setName(ctx: RequestContext, def: DocTypeDef, doc: Doc): void {
  switch (def.naming.by) {
    case 'series': {
      // frappe/model/naming.py parse_naming_series: .YYYY. is now_datetime()'s year, the server's
      // clock, whatever the document's own dates say.
      const year = frappeDate(ctx.now).slice(0, 4);
      const prefix = def.naming.series.replace('.YYYY.', year).replace(/\.$/, '');
      doc.name = `${prefix}${String(ctx.txn.nextSeries(prefix)).padStart(5, '0')}`;
      return;
    }
    case 'field': {
      const value = doc[def.naming.field];
      if (typeof value === 'string' && value.trim() !== '') doc.name = value.trim();
      return;
    }
    case 'format':
      doc.name = def.naming.format(doc, (doctype, name) => ctx.txn.get(doctype, name));
      return;
    case 'hash':
      doc.name = randomName();
  }
}

/** Child rows get a name, their parent's name and docstatus, and an index (set_parent_in_children). */
function setChildren(ctx: RequestContext, def: DocTypeDef, doc: Doc): void {
  for (const field of def.fields) {
    if (field.fieldtype !== 'Table') continue;
    const rows = (doc[field.fieldname] as Doc[] | undefined) ?? [];
    rows.forEach((row, i) => {
      if (!row.name) row.name = randomName();
      row.parent = doc.name;
      row.parentfield = field.fieldname;
      row.parenttype = def.name;
      row.idx = i + 1;
      row.docstatus = doc.docstatus;
      for (const key of ['owner', 'creation', 'modified', 'modified_by']) row[key] = doc[key];
    });
  }
  void ctx;
}

function randomName(): string {
  return randomBytes(5).toString('hex');
}

/** run_before_save_methods (the controller's validate) comes before Frappe's own _validate. */
function runValidate(ctx: RequestContext, def: DocTypeDef, doc: Doc, previous: Doc | undefined): void {
  const controller = ctx.controllers[def.name];
  controller?.beforeValidate?.(ctx, doc);
  controller?.validate?.(ctx, doc, previous);
  validateMandatory(ctx, def, doc);
  validateValues(ctx, def, doc);
}

/**
 * frappe/model/base_document.py _get_missing_mandatory_fields and document.py _validate_mandatory:
 * every missing field is shown, then MandatoryError is raised naming them.
 */
function validateMandatory(ctx: RequestContext, def: DocTypeDef, doc: Doc): void {
  const missing: Array<{ fieldname: string; message: string }> = [];
  const check = (d: DocTypeDef, row: Doc, child: boolean) => {
    for (const field of d.fields) {
      if (!field.reqd) continue;
      const value = row[field.fieldname];
      const empty =
        field.fieldtype === 'Table'
          ? !Array.isArray(value) || value.length === 0
          : value === undefined || value === null || value === '';
      if (!empty) continue;
      const message =
        field.fieldtype === 'Table'
          ? `Error: Data missing in table: ${field.label}`
          : child
            ? `Error: <strong>${d.name}</strong> Row #${String(row.idx)}: Value missing for: ${field.label}`
            : `Error: Value missing for ${d.name}: ${field.label}`;
      missing.push({ fieldname: field.fieldname, message });
    }
  };
  check(def, doc, false);
  for (const field of def.fields) {
    if (field.fieldtype !== 'Table') continue;
    const childDef = ctx.meta.get(field.options ?? '');
    if (childDef === undefined) continue;
    for (const row of (doc[field.fieldname] as Doc[] | undefined) ?? []) check(childDef, row, true);
  }
  if (missing.length === 0) return;
  throw new FrappeError(
    'MandatoryError',
    `[${def.name}, ${doc.name}]: ${missing.map((m) => m.fieldname).join(', ')}`,
    missing.map((m) => plainMessage(m.message)),
  );
}

/** frappe/model/base_document.py _validate_links: every Link value must name an existing record. */
export function validateLinks(ctx: RequestContext, def: DocTypeDef, doc: Doc): void {
  const invalid: string[] = [];
  const cancelled: string[] = [];
  const check = (d: DocTypeDef, row: Doc, rowLabel: string) => {
    for (const field of d.fields) {
      if (field.fieldtype !== 'Link') continue;
      const value = row[field.fieldname];
      if (value === undefined || value === null || value === '') continue;
      const target = ctx.txn.get(field.options ?? '', String(value));
      if (target === undefined) invalid.push(`${rowLabel}${field.label}: ${String(value)}`);
      else if (target.docstatus === 2 && field.fieldname !== 'amended_from') {
        cancelled.push(`${rowLabel}${field.label}: ${String(value)}`);
      } else row[field.fieldname] = target.name;
    }
  };
  check(def, doc, '');
  for (const field of def.fields) {
    if (field.fieldtype !== 'Table') continue;
    const childDef = ctx.meta.get(field.options ?? '');
    if (childDef === undefined) continue;
    for (const row of (doc[field.fieldname] as Doc[] | undefined) ?? []) {
      check(childDef, row, `Row #${String(row.idx ?? '')}: `);
    }
  }
  if (invalid.length > 0) frappeThrow(`Could not find ${invalid.join(', ')}`, 'LinkValidationError');
  if (cancelled.length > 0)
    frappeThrow(`Cannot link cancelled document: ${cancelled.join(', ')}`, 'CancelledLinkError');
}

/**
 * The rest of document.py _validate, after the mandatory check: the parent's selects then lengths,
 * then each child row's (base_document.py _validate_selects, _validate_length).
 */
function validateValues(ctx: RequestContext, def: DocTypeDef, doc: Doc): void {
  validateSelects(def, doc, '');
  validateLengths(def, doc, `${def.name} ${doc.name}`);
  for (const field of def.fields) {
    if (field.fieldtype !== 'Table') continue;
    const childDef = ctx.meta.get(field.options ?? '');
    if (childDef === undefined) continue;
    for (const row of tableRows(doc[field.fieldname])) {
      validateSelects(childDef, row, `Row #${String(row.idx)}:`);
      validateLengths(childDef, row, `${childDef.name}, Row ${String(row.idx)}`);
    }
  }
}

/**
 * base_document.py _validate_selects: a Select value (stripped) must be one of its options,
 * `{0} {1} cannot be "{2}". It should be one of "{3}"` with {0} empty for the parent (so the
 * message starts with a space) and "Row #{idx}:" for a child row. An empty value always passes
 * here (Frappe would have given a new document the first option as its default).
 */
function validateSelects(def: DocTypeDef, row: Doc, prefix: string): void {
  for (const field of def.fields) {
    if (field.fieldtype !== 'Select' || field.fieldname === 'naming_series' || !field.options) continue;
    const options = field.options.split('\n');
    if (!options.some((option) => option !== '')) continue;
    const raw = row[field.fieldname];
    if (raw === undefined || raw === null) continue;
    const value = cstr(raw).trim();
    row[field.fieldname] = value;
    if (value === '' || options.includes(value)) continue;
    frappeThrow(
      `${prefix} ${field.label} cannot be "${value}". It should be one of "${options.join('", "')}"`,
      'ValidationError',
    );
  }
}

/** Column types stored as varchar: `length` characters, 140 by default. */
const VARCHAR_TYPES = new Set(['Data', 'Link', 'Dynamic Link', 'Select']);

/**
 * base_document.py _validate_length: varchar fields hold `length` characters (140 unless the
 * field says otherwise; CharacterLengthExceededError); Text columns 65,535 bytes.
 */
function validateLengths(def: DocTypeDef, row: Doc, ref: string): void {
  for (const field of def.fields) {
    const value = row[field.fieldname];
    if (typeof value !== 'string') continue;
    const max = field.length !== undefined && field.length > 0 ? field.length : MAX_DATA_LENGTH;
    if (VARCHAR_TYPES.has(field.fieldtype) && value.length > max) {
      frappeThrow(
        `${ref}: '${field.label}' (${value}) will get truncated, as max characters allowed is ${max}`,
        'CharacterLengthExceededError',
        'Value too big',
      );
    }
    if (
      (field.fieldtype === 'Text' || field.fieldtype === 'Small Text') &&
      Buffer.byteLength(value, 'utf8') > MAX_TEXT_BYTES
    ) {
      // MariaDB refuses the row: pymysql DataError 1406, which Frappe does not catch (a 500).
      frappeRaise('MySQLDataError', `(1406, "Data too long for column '${field.fieldname}' at row 1")`);
    }
  }
}

/**
 * frappe/model/delete_doc.py check_if_doc_is_linked (document.py check_no_back_links_exist on
 * cancel): every Link field of every doctype that points at `doc`'s doctype, parent fields and
 * child-table rows alike, is looked up for `doc`'s name. On cancel only submitted documents block
 * and `amended_from` links are skipped; on delete every document blocks, cancelled ones too. A
 * single doctype (settings) blocks when its field holds the name. The document itself does not.
 * raise_link_exists_exception: for a static link the row part is empty, so the message ends with a
 * space; a single doctype's name stands in for its doctype, which is then left empty.
 */
function checkNoLinks(ctx: RequestContext, def: DocTypeDef, doc: Doc, action: 'cancel' | 'delete'): void {
  const blocking = findBackLink(ctx, def, doc, action);
  if (blocking === undefined) return;
  const link = (doctype: string, name: string) => `<a href="/app/Form/${doctype}/${name}">${name}</a>`;
  const refDoctype = blocking.doctype === blocking.name ? '' : blocking.doctype;
  frappeThrow(
    `Cannot delete or cancel because ${def.name} ${link(def.name, doc.name)} is linked with ${refDoctype} ${link(blocking.doctype, blocking.name)} `,
    'LinkExistsError',
  );
}

function findBackLink(
  ctx: RequestContext,
  def: DocTypeDef,
  doc: Doc,
  action: 'cancel' | 'delete',
): { doctype: string; name: string } | undefined {
  const key = nameKey(doc.name);
  const pointsHere = (field: FieldDef) =>
    field.fieldtype === 'Link' &&
    field.options === def.name &&
    !(action === 'cancel' && field.fieldname === 'amended_from');
  const holdsName = (value: unknown) => typeof value === 'string' && value !== '' && nameKey(value) === key;

  for (const other of ctx.meta.all()) {
    if (other.istable) continue;
    const parentFields = other.fields.filter(pointsHere);
    if (other.issingle) {
      if (parentFields.length === 0) continue;
      const single = getSingle(ctx, other);
      if (parentFields.some((field) => holdsName(single[field.fieldname])))
        return { doctype: other.name, name: other.name };
      continue;
    }
    const tables: Array<{ fieldname: string; fields: FieldDef[] }> = [];
    for (const field of other.fields) {
      if (field.fieldtype !== 'Table') continue;
      const fields = ctx.meta.get(field.options ?? '')?.fields.filter(pointsHere) ?? [];
      if (fields.length > 0) tables.push({ fieldname: field.fieldname, fields });
    }
    if (parentFields.length === 0 && tables.length === 0) continue;
    for (const linking of ctx.txn.scan(other.name)) {
      if (action === 'cancel' && linking.docstatus !== 1) continue;
      if (other.name === def.name && nameKey(linking.name) === key) continue;
      const linked =
        parentFields.some((field) => holdsName(linking[field.fieldname])) ||
        tables.some((table) =>
          tableRows(linking[table.fieldname]).some((row) =>
            table.fields.some((field) => holdsName(row[field.fieldname])),
          ),
        );
      if (linked) return { doctype: other.name, name: linking.name };
    }
  }
  return undefined;
}

function toDocstatus(value: unknown): 0 | 1 | 2 {
  const n = Number(value ?? 0);
  if (n === 1 || n === 2) return n;
  return 0;
}

function withoutStandard(changes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (!STANDARD_FIELDS.includes(key) && !CHILD_FIELDS.includes(key) && key !== 'doctype') out[key] = value;
  }
  return out;
}

function saveSingle(ctx: RequestContext, def: DocTypeDef, changes: Record<string, unknown>): Doc {
  const current = getSingle(ctx, def);
  const doc = buildDoc(ctx, def, { ...current, ...withoutStandard(changes), name: def.name }, current);
  doc.modified = frappeDatetime(ctx.now);
  doc.modified_by = ctx.user.email;
  validateLinks(ctx, def, doc);
  validateSelects(def, doc, '');
  ctx.txn.put(doc);
  return doc;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
