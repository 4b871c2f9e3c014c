import type { Doc, Transaction } from './database.js';
import type { Meta } from './meta.js';

/** An API user of a site (a User with an API key and secret). */
export interface ApiUser {
  /** The user's email, what frappe.auth.get_logged_user answers. */
  email: string;
  apiKey: string;
  apiSecret: string;
  /** Doctypes this user may not submit / cancel (its roles lack the permission). */
  cannotSubmit?: string[];
  cannotCancel?: string[];
  /** Whether the user has System Manager (needed to insert Custom Fields). Default true. */
  systemManager?: boolean;
}

/** Hooks a doctype's controller runs (erpnext's DocType classes), all inside the transaction. */
export interface Controller {
  /** Fills derived fields (names, amounts, defaults from master data) before validation. */
  beforeValidate?(ctx: RequestContext, doc: Doc): void;
  validate?(ctx: RequestContext, doc: Doc, previous: Doc | undefined): void;
  onSubmit?(ctx: RequestContext, doc: Doc): void;
  beforeCancel?(ctx: RequestContext, doc: Doc): void;
  onCancel?(ctx: RequestContext, doc: Doc): void;
}

/** What a request works with: its transaction, the site's metadata, its user and clock. */
export interface RequestContext {
  txn: Transaction;
  meta: Meta;
  user: ApiUser;
  /** The server's current time (one value per request). */
  now: Date;
  controllers: Readonly<Record<string, Controller>>;
  /** Serial numbers the request handled, for per-serial latency. */
  serialsTouched: number;
}

/** "2026-11-26 10:00:00.123456", as Frappe writes datetimes (frappe.utils.now). */
export function frappeDatetime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

export function frappeDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function frappeTime(date: Date): string {
  return `${date.toISOString().slice(11, 23)}000`;
}
