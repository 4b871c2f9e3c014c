/**
 * What a preflight answers: every problem found in either instance, each a stable code, the
 * request field it concerns and a sentence a person can act on. Messages name the instance, the
 * doctype and the value; they never carry a serial number (serials may be PINs): serial problems
 * give counts and request paths (`items[0].serials[3]`) instead.
 */

export type PreflightInstance = 'a' | 'b';

/** The stable codes of `PreflightProblem.check`. */
export const PREFLIGHT_CHECKS = [
  // the instance itself
  'instance_unreachable', // the site cannot be reached, or answers nothing usable (describe() of the error)
  'instance_auth', // the site refuses the credentials (401, or they run as Guest)
  'read_failed', // one of the reads failed: the checks that need it were skipped
  // master data
  'company_missing',
  'warehouse_missing',
  'warehouse_wrong_company',
  'warehouse_is_group',
  'warehouse_disabled',
  'item_missing',
  'item_disabled',
  'item_not_stock',
  'item_not_serialized',
  'supplier_missing',
  'supplier_disabled',
  'customer_missing',
  'customer_disabled',
  'price_list_missing', // neither the customer nor Selling Settings names one
  'price_list_not_found', // the one named does not exist
  'price_list_disabled',
  'price_list_not_selling',
  'fiscal_year_missing',
  // Interco's marker field
  'marker_field_missing',
  'marker_field_not_unique',
  // settings that block the flow
  'so_required',
  'po_required',
  'stock_frozen',
  'serial_setting_disabled',
  // the API user's rights
  'submit_not_permitted',
  'cancel_not_permitted',
  // the transfer's serials in the instance
  'serial_in_stock', // Active in a warehouse: SerialNoDuplicateError on receipt
  'serial_delivered', // delivered or consumed before, and the site does not allow receiving them again
  'serial_other_item', // the Serial No belongs to another item
] as const;
export type PreflightCheck = (typeof PREFLIGHT_CHECKS)[number];

export interface PreflightProblem {
  instance: PreflightInstance;
  /** A stable code, e.g. `company_missing`. */
  check: PreflightCheck;
  /** The request field it concerns, e.g. `company_a_warehouse`, `items[2].item_code`, `items[0].serials`. */
  path?: string;
  /** A sentence a person can act on, naming the instance, the doctype and the value. */
  message: string;
}

export interface PreflightReport {
  /** No problem found. */
  ok: boolean;
  problems: PreflightProblem[];
  resolved: {
    /**
     * Company B as B names it: `company_b_name` when B has that company, else (when the request
     * leaves it out) the company owning `company_b_warehouse`; undefined when neither resolves.
     */
    company_b: string | undefined;
    /**
     * The selling price list A's Delivery Note will use (the customer's default, else Selling
     * Settings'), as A names it; undefined unless it exists, is enabled and is a selling list.
     */
    selling_price_list: string | undefined;
  };
}

export interface PreflightOptions {
  /** YYYY-MM-DD, ideally in the sites' time zone. Default: today in UTC. */
  today?: string;
  /** The marker Custom Field's fieldname. Default `custom_interco_marker`. */
  markerField?: string;
}

/** What the checks of one instance need besides the request (options with defaults applied). */
export interface PreflightContext {
  today: string;
  markerField: string;
}
