import type { Controller } from '../frappe/context.js';
import { frappeThrow } from '../frappe/errors.js';
import { customFieldname } from '../frappe/meta.js';

/**
 * frappe/custom/doctype/custom_field/custom_field.py: the fieldname comes from the label when not
 * given (scrubbed, with v15's "custom_" prefix: meta.ts customFieldname; neither is "Label is
 * mandatory"), the target doctype must exist, and a fieldname may be used once per doctype (the
 * record's name is "<dt>-<fieldname>").
 */
export const customField: Controller = {
  beforeValidate(_ctx, doc) {
    doc.fieldname = customFieldname(doc);
  },
  validate(ctx, doc, previous) {
    if (!ctx.user.systemManager && ctx.user.systemManager !== undefined) {
      frappeThrow('Insufficient Permission for Custom Field', 'PermissionError');
    }
    if (!ctx.meta.has(String(doc.dt)))
      frappeThrow(`DocType ${String(doc.dt)} not found`, 'LinkValidationError');
    // set_fieldname: neither a fieldname nor a label
    if (!doc.fieldname) frappeThrow('Label is mandatory', 'ValidationError');
    const existing = ctx.meta.field(String(doc.dt), String(doc.fieldname));
    if (existing !== undefined && previous === undefined) {
      frappeThrow(
        `A field with the name <strong>${String(doc.fieldname)}</strong> already exists in ${String(doc.dt)}`,
        'ValidationError',
      );
    }
  },
};
