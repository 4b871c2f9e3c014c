/**
 * What the CLI reads of intake's and the tracker's answers, as TypeBox schemas checked at run
 * time. They are deliberately the CLI's own and tolerant: only the fields the CLI uses are
 * required, anything more is allowed (`additionalProperties` left open) and enumerations are plain
 * strings, so a newer service that adds a field or a status does not break an older CLI, while an
 * answer without what the CLI needs gives a clear error naming the path. (The tracker's exact
 * schemas are exported by `@interco/tracker`, but importing it would make mongodb and NATS
 * dependencies of an HTTP client; `schemas.unit.test.ts` checks at compile time that the
 * services' answer types, the tracker's TransferView among them, fit these.)
 */
import { type Static, Type } from '@sinclair/typebox';

const Text = Type.String();
const NullableText = Type.Union([Type.String(), Type.Null()]);
const open = { additionalProperties: true } as const;

export const Problem = Type.Object({ path: Text, message: Text }, open);
export type Problem = Static<typeof Problem>;

/** The error shape of every 4xx and 5xx of both APIs (`@interco/http`'s ErrorBody). */
export const ErrorAnswer = Type.Object(
  { error: Text, message: Text, problems: Type.Optional(Type.Array(Problem)) },
  open,
);
export type ErrorAnswer = Static<typeof ErrorAnswer>;

export const DocumentRef = Type.Object(
  {
    doctype: Text,
    name: Text,
    chunk: Type.Optional(Type.Integer()),
    serial_count: Type.Optional(Type.Integer()),
  },
  open,
);
export type DocumentRef = Static<typeof DocumentRef>;

export const ErrorInfo = Type.Object(
  {
    kind: Text,
    http_status: Type.Optional(Type.Integer()),
    exc_type: Type.Optional(Text),
    messages: Type.Array(Text),
    chunk: Type.Optional(Type.Integer()),
  },
  open,
);
export type ErrorInfo = Static<typeof ErrorInfo>;

export const StepView = Type.Object(
  {
    status: Text,
    attempts: Type.Integer(),
    documents: Type.Array(DocumentRef),
    cancelled_documents: Type.Array(DocumentRef),
    last_error: Type.Union([ErrorInfo, Type.Null()]),
    waiting: Type.Union([Type.Object({ reason: Text, next_attempt_at: Text }, open), Type.Null()]),
    started_at: NullableText,
    finished_at: NullableText,
    duration_ms: Type.Union([Type.Number(), Type.Null()]),
  },
  open,
);
export type StepView = Static<typeof StepView>;

export const RequestSummary = Type.Object(
  {
    instances: Type.Object({ a: Text, b: Text }, open),
    companies: Type.Object({ a: Text, b: Type.Optional(Text) }, open),
    counts: Type.Object({ items: Type.Integer(), serials: Type.Integer() }, open),
    reference: NullableText,
  },
  open,
);
export type RequestSummary = Static<typeof RequestSummary>;

export const TransferView = Type.Object(
  {
    transfer_id: Text,
    status: Text,
    stuck: Type.Boolean(),
    current_step: NullableText,
    failed_step: NullableText,
    generation: Type.Integer(),
    created_at: Text,
    updated_at: Text,
    request: Type.Union([RequestSummary, Type.Null()]),
    steps: Type.Object({ po_a: StepView, pr_a: StepView, dn_a: StepView, pr_b: StepView }, open),
    last_error: Type.Union([Type.Intersect([Type.Object({ step: Text }, open), ErrorInfo]), Type.Null()]),
  },
  open,
);
export type TransferView = Static<typeof TransferView>;

export const TransferList = Type.Object(
  { transfers: Type.Array(TransferView), next_cursor: NullableText },
  open,
);
export type TransferList = Static<typeof TransferList>;

export const TransferCounts = Type.Object(
  { total: Type.Integer(), by_status: Type.Record(Type.String(), Type.Integer()), stuck: Type.Integer() },
  open,
);
export type TransferCounts = Static<typeof TransferCounts>;

export const JournalEntry = Type.Object(
  {
    seq: Type.Integer(),
    type: Text,
    time: Text,
    generation: Type.Integer(),
    actor: Text,
    change: Text,
    reason: Type.Optional(Text),
  },
  open,
);
export type JournalEntry = Static<typeof JournalEntry>;

export const TransferEventsPage = Type.Object(
  {
    transfer_id: Text,
    events: Type.Array(JournalEntry),
    next_after_seq: Type.Union([Type.Integer(), Type.Null()]),
  },
  open,
);
export type TransferEventsPage = Static<typeof TransferEventsPage>;

export const TransferSerialsPage = Type.Object(
  {
    transfer_id: Text,
    total: Type.Integer(),
    serials: Type.Array(Type.Object({ item_code: Text, serial: Text }, open)),
    next_cursor: NullableText,
  },
  open,
);
export type TransferSerialsPage = Static<typeof TransferSerialsPage>;

/** The `data` of a /v1/live message. */
export const LiveEvent = Type.Object(
  { transfer_id: Text, type: Text, time: Text, generation: Type.Integer(), seq: Type.Integer() },
  open,
);
export type LiveEvent = Static<typeof LiveEvent>;

/** POST /v1/transfers (202). */
export const TransferAccepted = Type.Object({ transfer_id: Text, status_url: Text }, open);
export type TransferAccepted = Static<typeof TransferAccepted>;

/** POST /v1/transfers/{id}/retry and /cancel (202). */
export const TransferRequestAccepted = Type.Object(
  { transfer_id: Text, generation: Type.Integer(), status_url: Text },
  open,
);
export type TransferRequestAccepted = Static<typeof TransferRequestAccepted>;

export const InstanceSummary = Type.Object(
  { id: Text, name: Text, base_url: Text, api_key_hint: Text, created_at: Text, updated_at: Text },
  open,
);
export type InstanceSummary = Static<typeof InstanceSummary>;

export const InstanceList = Type.Object({ instances: Type.Array(InstanceSummary) }, open);
export type InstanceList = Static<typeof InstanceList>;

export const InstanceTestResult = Type.Union([
  Type.Object({ ok: Type.Literal(true), user: Text }, open),
  Type.Object({ ok: Type.Literal(false), error: Text }, open),
]);
export type InstanceTestResult = Static<typeof InstanceTestResult>;

export const PrepareResult = Type.Object(
  {
    instance: Text,
    prepared: Type.Boolean(),
    results: Type.Array(Type.Object({ doctype: Text, outcome: Text }, open)),
    summary: Type.Array(Text),
  },
  open,
);
export type PrepareResult = Static<typeof PrepareResult>;

export const PreflightReport = Type.Object(
  {
    ok: Type.Boolean(),
    problems: Type.Array(
      Type.Object({ instance: Text, check: Text, path: Type.Optional(Text), message: Text }, open),
    ),
  },
  open,
);
export type PreflightReport = Static<typeof PreflightReport>;

export const TokenSummary = Type.Object(
  {
    id: Text,
    name: Text,
    scopes: Type.Array(Text),
    created_at: Text,
    expires_at: Type.Optional(Text),
  },
  open,
);
export type TokenSummary = Static<typeof TokenSummary>;

export const TokenList = Type.Object({ tokens: Type.Array(TokenSummary) }, open);
export type TokenList = Static<typeof TokenList>;

/** POST /v1/admin/tokens (201): the token, shown this once. */
export const MintedToken = Type.Object({ token: Text, record: TokenSummary }, open);
export type MintedToken = Static<typeof MintedToken>;
