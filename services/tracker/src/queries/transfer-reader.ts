import type { Collection } from 'mongodb';
import type { TransferEventsPage, TransferView } from '../http/schemas.js';
import type {
  JournalEntry,
  SerialDocument,
  TransferDocument,
} from '../read-model/transfer-document.schema.js';
import { countTransfers, noTransfers, type StatusCounts } from './counts.js';
import { type CountsFilter, CountTimeLimitExceeded } from './counts-cache.js';
import { decodeTransferCursor, encodeTransferCursor } from './cursor.js';
import type { ListTransfersQuery } from './list-query.schema.js';
import type { StuckClock } from './stuck.js';
import { buildTransferFilter, type FilterContext, TRANSFER_ORDER } from './transfer-filter.js';
import { compareNewestFirst, type FilterableDocument, matchesTransferQuery } from './transfer-predicate.js';
import { toTransferView, type ViewableDocument } from './transfer-view.js';

/** The two collections of the read model (TrackerStore has them). */
export interface ReadModelCollections {
  readonly transfers: Collection<TransferDocument>;
  readonly serials: Collection<SerialDocument>;
}

/** A list page: the transfers and where the next page starts (null on the last page). */
export interface TransferPage {
  readonly transfers: TransferView[];
  readonly next_cursor: string | null;
}

/** A list query once read: the filters, the page size, the cursor and the serial's digest. */
export interface ListRequest {
  readonly query: ListTransfersQuery;
  readonly limit: number;
  /** The keyed digest of `query.serial` (SerialDigester), when it is given. */
  readonly serialDigest?: string | undefined;
}

/** Fields a list fetches: what a view needs (never the journal, which can be large). */
const VIEW_PROJECTION = {
  _id: 1,
  state: 1,
  created_at: 1,
} as const;

/** A document of a page: what the view needs, and where it sorts (VIEW_PROJECTION). */
type PageDocument = ViewableDocument & Pick<FilterableDocument, '_id' | 'created_at'>;

/** A serial's transfer read by `_id`: also every field the filters look at. */
type ListedDocument = ViewableDocument & FilterableDocument;

/** A serial's transfers are read by `_id` this many at once. */
const SERIAL_READS_AT_ONCE = 32;

/** When a count made of many reads stops: a monotonic time (performance.now) and its limit. */
interface CountDeadline {
  readonly at: number;
  readonly maxTimeMs: number;
}

/**
 * The read model's queries, as the API asks them: `_id` reads where it can (one transfer, its
 * journal, a serial's transfers), projections everywhere else. Throws `InvalidCursorError` for a
 * cursor this API did not make.
 */
export class TransferReader {
  constructor(
    private readonly collections: ReadModelCollections,
    private readonly clock: () => StuckClock,
  ) {}

  /** One transfer, or undefined when unknown or not yet requested (state null). */
  async get(id: string): Promise<TransferView | undefined> {
    const doc = await this.collections.transfers.findOne<ViewableDocument>(
      { _id: id },
      { projection: { _id: 1, state: 1 } },
    );
    return doc === null ? undefined : toTransferView(doc, this.clock());
  }

  /** The transfers that moved a serial, by its digest (one `_id` read). */
  async transfersOfSerial(digest: string): Promise<string[]> {
    const doc = await this.collections.serials.findOne({ _id: digest });
    return doc?.transfers ?? [];
  }

  async list(request: ListRequest): Promise<TransferPage> {
    const clock = this.clock();
    const { query, limit } = request;
    const after = query.cursor === undefined ? undefined : decodeTransferCursor(query.cursor);
    if (query.cursor !== undefined && after === undefined) throw new InvalidCursorError();
    const docs =
      query.serial === undefined
        ? await this.#scan(query, limit, { ...clock, after })
        : await this.#serialTransfers(query, limit, { ...clock, after }, request.serialDigest);
    const page = docs.slice(0, limit);
    const last = page.at(-1);
    const more = docs.length > limit && last !== undefined && last.created_at !== null;
    return {
      transfers: page.flatMap((doc) => toTransferView(doc, clock) ?? []),
      next_cursor:
        more && last.created_at !== null
          ? encodeTransferCursor({ created_at: last.created_at, id: last._id })
          : null,
    };
  }

  /** A filtered, sorted page (and one more, to know whether a next page exists). */
  async #scan(query: ListTransfersQuery, limit: number, context: FilterContext): Promise<PageDocument[]> {
    return this.collections.transfers
      .find<PageDocument>(buildTransferFilter(query, context), { projection: VIEW_PROJECTION })
      .sort(TRANSFER_ORDER)
      .limit(limit + 1)
      .toArray();
  }

  /**
   * The serial's transfers (one `_id` read for the serial, one per transfer: FerretDB scans for
   * anything else, `$in` on `_id` included), filtered and sorted here.
   */
  async #serialTransfers(
    query: ListTransfersQuery,
    limit: number,
    context: FilterContext,
    digest: string | undefined,
  ): Promise<PageDocument[]> {
    return (await this.#serialDocuments(query, context, digest)).sort(compareNewestFirst).slice(0, limit + 1);
  }

  /**
   * The transfers of a serial (by its digest) that pass the query's filters, read by `_id`,
   * SERIAL_READS_AT_ONCE at a time. With a deadline (a count), it is checked between the reads: past
   * it, the reads stop (CountTimeLimitExceeded), so a count the cache has given up on ends too.
   */
  async #serialDocuments(
    query: ListTransfersQuery,
    context: FilterContext,
    digest: string | undefined,
    deadline?: CountDeadline,
  ): Promise<ListedDocument[]> {
    const ids = digest === undefined ? [] : await this.transfersOfSerial(digest);
    const found: (ListedDocument | null)[] = [];
    for (let from = 0; from < ids.length; from += SERIAL_READS_AT_ONCE) {
      if (deadline !== undefined && performance.now() >= deadline.at) {
        throw new CountTimeLimitExceeded(deadline.maxTimeMs);
      }
      found.push(
        ...(await Promise.all(
          ids
            .slice(from, from + SERIAL_READS_AT_ONCE)
            .map((id) =>
              this.collections.transfers.findOne<ListedDocument>({ _id: id }, { projection: { journal: 0 } }),
            ),
        )),
      );
    }
    const serialContext = { ...context, transferIds: ids };
    return found.filter(
      (doc): doc is ListedDocument => doc !== null && matchesTransferQuery(doc, query, serialContext),
    );
  }

  /**
   * How many transfers pass the filter, per status, and how many of them are stuck: one
   * aggregate (`$match` the list's filter, `$group` by status) and one `countDocuments` of the
   * stuck ones, both bounded by `maxTimeMs` on the server (MongoDB's MaxTimeMSExpired beyond).
   * With a serial: its transfers read by `_id` and counted here, stopped between the reads once
   * `maxTimeMs` has passed (CountTimeLimitExceeded). CountsCache calls it.
   */
  async counts(filter: CountsFilter, limit: { readonly maxTimeMs: number }): Promise<StatusCounts> {
    const clock = this.clock();
    if (filter.serialDigest !== undefined) {
      const deadline = { at: performance.now() + limit.maxTimeMs, maxTimeMs: limit.maxTimeMs };
      const docs = await this.#serialDocuments(filter.query, clock, filter.serialDigest, deadline);
      return countTransfers(docs, clock);
    }
    const options = { maxTimeMS: limit.maxTimeMs };
    const [groups, stuck] = await Promise.all([
      this.collections.transfers
        .aggregate<{ _id: unknown; n: number }>(
          [
            { $match: buildTransferFilter(filter.query, clock) },
            { $group: { _id: '$status', n: { $sum: 1 } } },
          ],
          options,
        )
        .toArray(),
      this.collections.transfers.countDocuments(
        buildTransferFilter({ ...filter.query, stuck: 'true' }, clock),
        options,
      ),
    ]);
    const byStatus = noTransfers();
    let total = 0;
    for (const group of groups) {
      if (typeof group._id !== 'string') continue;
      byStatus[group._id] = (byStatus[group._id] ?? 0) + group.n;
      total += group.n;
    }
    return { total, by_status: byStatus, stuck };
  }

  /** How many transfers are stuck now (one filtered count). */
  async stuckCount(): Promise<number> {
    return this.collections.transfers.countDocuments(buildTransferFilter({ stuck: 'true' }, this.clock()));
  }

  /**
   * A page of a transfer's journal: the entries after `afterSeq`, at most `limit`, in stream
   * order; undefined when the transfer is unknown or not yet requested.
   */
  async events(id: string, afterSeq: number, limit: number): Promise<TransferEventsPage | undefined> {
    const doc = await this.collections.transfers.findOne<{
      state: ViewableDocument['state'];
      journal: JournalEntry[];
    }>({ _id: id }, { projection: { state: 1, journal: 1 } });
    if (doc === null || doc.state === null) return undefined;
    const rest = doc.journal.filter((entry) => entry.seq > afterSeq);
    const events = rest.slice(0, limit);
    const last = events.at(-1);
    return {
      transfer_id: id,
      events,
      next_after_seq: rest.length > limit && last !== undefined ? last.seq : null,
    };
  }

  /** The manifest reference of a transfer (for its serials), or undefined when not shown. */
  async manifestOf(id: string): Promise<{ ref: string; digest: string } | undefined> {
    const doc = await this.collections.transfers.findOne<ViewableDocument>(
      { _id: id },
      { projection: { _id: 1, state: 1 } },
    );
    if (doc === null || doc.state === null) return undefined;
    return doc.state.requested?.manifest;
  }
}

/** A cursor this API did not make (cut, altered, made up): the route answers 400 naming `cursor`. */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('the cursor is not one this API gave');
  }
}
