import { Type, type Static } from 'typebox';
import { FanoutChunk } from './fanout.js';
import { TaskRef } from './task-ref.js';

/**
 * Who is calling: the MCP era decides how a handler asks the client for input (2025: a request on
 * the call's stream; 2026-07-28: an `input_required` result and a retry), and the capabilities say
 * whether it may ask at all.
 */
export const CallerClient = Type.Object({
  era: Type.Union([Type.Literal('2025-11-25'), Type.Literal('2026-07-28')]),
  capabilities: Type.Record(Type.String(), Type.Unknown()),
});
export type CallerClient = Static<typeof CallerClient>;

/**
 * On whose behalf a call runs: the principal the gateway authenticated and its scopes (`admin` when
 * authentication is off). A node uses it to decide what the call may reach beyond the tool itself
 * (`ctx.mayRead(uri)`: data sets named in arguments). The node believes it because only trusted
 * publishers reach `tools.>` and `nodes.<id>.>` (nats/secure); a call without it is a caller with
 * no scopes.
 */
export const CallerIdentity = Type.Object({
  principal: Type.String({ minLength: 1, maxLength: 1024 }),
  scopes: Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 1024 }),
});
export type CallerIdentity = Static<typeof CallerIdentity>;

/** The mesh protocol version every request and reply carries (see version.ts). */
const Version = Type.Integer({ minimum: 1 });

/**
 * The call envelope: what a gateway (or `remote()`) sends to a node on `tools.<token>` or
 * `nodes.<id>.call`. JSON in the body, with the call's version, id, deadline and notify subject, so
 * a call without trace context is a plain PUB/MSG both ways (cheaper in nats.js and nats-server than
 * HPUB/HMSG); trace context alone rides in headers (see subjects.ts). The answer is a `CallReply`.
 */
export const CallRequest = Type.Object({
  /** Mesh protocol version of the sender (`MESH_PROTOCOL_VERSION`). */
  v: Version,
  tool: Type.String({ minLength: 1, maxLength: 128 }),
  arguments: Type.Record(Type.String(), Type.Unknown()),
  /** MCP request `_meta` forwarded from the client (progress token, trace context, ...). */
  meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  client: Type.Optional(CallerClient),
  /** Who the call is for (`ctx.caller`); absent from plain `remote()` calls. */
  caller: Type.Optional(CallerIdentity),
  /** Set on each chunk of a fan-out call (see fanout.ts); the handler sees it as `ctx.chunk`. */
  chunk: Type.Optional(FanoutChunk),
  /** Unique id of the call: logs, cancellation, resumes and audit name it; the reply echoes it. */
  callId: Type.String({ minLength: 1, maxLength: 256 }),
  /** Absolute deadline of the call, epoch milliseconds. The node aborts the handler when it passes. */
  deadline: Type.Optional(Type.Number()),
  /** Subject for the call's progress and log notifications (`CallNotification`). */
  notify: Type.Optional(Type.String({ minLength: 1 })),
  /** Run the call as this durable task (see tasks.ts): the node answers `taskStarted` and writes the rest. */
  task: Type.Optional(TaskRef),
});
export type CallRequest = Static<typeof CallRequest>;

export const WireError = Type.Object({
  code: Type.String({ minLength: 1 }),
  message: Type.String(),
  data: Type.Optional(Type.Unknown()),
});
export type WireError = Static<typeof WireError>;

/** A successful call: an MCP CallToolResult (content blocks, optional structured content). */
export const CallResult = Type.Object({
  content: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  structuredContent: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  isError: Type.Optional(Type.Boolean()),
  _meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
export type CallResult = Static<typeof CallResult>;

/** One request a handler needs the client to fulfil (elicitation, sampling, roots), keyed in a map. */
export const InputRequest = Type.Object({
  method: Type.Union([
    Type.Literal('elicitation/create'),
    Type.Literal('sampling/createMessage'),
    Type.Literal('roots/list'),
  ]),
  params: Type.Record(Type.String(), Type.Unknown()),
});
export type InputRequest = Static<typeof InputRequest>;

/**
 * The answer to a call (or to a resume): a result, a failure, or — for 2026-era clients only — the
 * input the handler is waiting for. The handler stays parked on its node until a resume arrives.
 */
export const CallResponse = Type.Union([
  Type.Object({ ok: Type.Literal(true), result: CallResult }),
  Type.Object({ ok: Type.Literal(false), error: WireError }),
  Type.Object({ ok: Type.Literal(true), inputRequired: Type.Record(Type.String(), InputRequest) }),
  /** A task call the node runs as a task from now on: its outcomes go to the task store, not to this leg. */
  Type.Object({ ok: Type.Literal(true), taskStarted: Type.Literal(true) }),
]);
export type CallResponse = Static<typeof CallResponse>;

/**
 * How a node answers every call request, resume and rpc request: the call id first (so a caller can
 * tell a stray duplicate reply from its own by its first bytes), the mesh protocol version, the node
 * that ran it and the response (a `CallResponse`; a `NodeRpcReply` for rpc), with no headers on the
 * message. `callId` is empty when the request was too broken to name one.
 */
export const CallReply = Type.Object({
  callId: Type.String(),
  v: Version,
  node: Type.String(),
  response: CallResponse,
});
export type CallReply = Static<typeof CallReply>;

/** A notification a running handler sends back to the caller on the `Er-Notify` subject. */
export const CallNotification = Type.Union([
  Type.Object({
    kind: Type.Literal('progress'),
    progress: Type.Number(),
    total: Type.Optional(Type.Number()),
    message: Type.Optional(Type.String()),
  }),
  Type.Object({
    kind: Type.Literal('log'),
    // Spelled out: a mapped array of literals makes the static type of `level` collapse to `never`.
    level: Type.Union([
      Type.Literal('debug'),
      Type.Literal('info'),
      Type.Literal('notice'),
      Type.Literal('warning'),
      Type.Literal('error'),
      Type.Literal('critical'),
      Type.Literal('alert'),
      Type.Literal('emergency'),
    ]),
    logger: Type.Optional(Type.String()),
    data: Type.Unknown(),
  }),
]);
export type CallNotification = Static<typeof CallNotification>;

/**
 * A handler's request to the 2025-era client (sent by the node as a NATS *request* to the call's
 * `Er-Notify` subject, with the `Er-Call-Id` header); the gateway answers with a `ClientReply` once
 * the client has responded on whichever replica.
 */
export const ClientRequest = Type.Object({
  kind: Type.Literal('request'),
  method: Type.Union([
    Type.Literal('elicitation/create'),
    Type.Literal('sampling/createMessage'),
    Type.Literal('roots/list'),
  ]),
  params: Type.Record(Type.String(), Type.Unknown()),
});
export type ClientRequest = Static<typeof ClientRequest>;

export const ClientReply = Type.Union([
  Type.Object({ ok: Type.Literal(true), result: Type.Record(Type.String(), Type.Unknown()) }),
  Type.Object({ ok: Type.Literal(false), error: WireError }),
]);
export type ClientReply = Static<typeof ClientReply>;

/**
 * `nodes.<id>.resume`: a 2026-era retry's `inputResponses` for a call parked on that node. The reply
 * is a `CallResponse` for a parked tool call, a `NodeRpcReply` for a parked rpc request.
 */
export const ResumeRequest = Type.Object({
  v: Version,
  callId: Type.String({ minLength: 1, maxLength: 256 }),
  inputResponses: Type.Record(Type.String(), Type.Unknown()),
});
export type ResumeRequest = Static<typeof ResumeRequest>;

/** `nodes.<id>.rpc`: the non-tool operations a node serves. */
export const NodeRpcRequest = Type.Object({
  v: Version,
  /** Unique id of the request, as a call's (admission, cancellation, resumes). */
  callId: Type.String({ minLength: 1, maxLength: 256 }),
  /** Absolute deadline, epoch milliseconds. */
  deadline: Type.Optional(Type.Number()),
  /** Subject for notifications and 2025-era client requests of reads and prompts. */
  notify: Type.Optional(Type.String({ minLength: 1 })),
  method: Type.Union([
    Type.Literal('resources/read'),
    Type.Literal('prompts/get'),
    Type.Literal('completion/complete'),
    /** Fan-out: `FanoutPlanParams` → `{ chunks: unknown[] }`. */
    Type.Literal('fanout/plan'),
    /** Fan-out: `FanoutMergeParams` → a CallResult. */
    Type.Literal('fanout/merge'),
  ]),
  params: Type.Record(Type.String(), Type.Unknown()),
  /**
   * Set it to let `resources/read` and `prompts/get` handlers ask the client for input, as tool calls
   * do. With a `modern` client the reply may then carry `inputRequired`: decode it with
   * `decodeNodeRpcReply`. Without it, nothing changes (`NodeRpcResponse`).
   */
  client: Type.Optional(CallerClient),
  /** Who the request is for (`ctx.caller` of reads, prompts, fan-out plans and merges). */
  caller: Type.Optional(CallerIdentity),
});
export type NodeRpcRequest = Static<typeof NodeRpcRequest>;

export const NodeRpcResponse = Type.Union([
  Type.Object({ ok: Type.Literal(true), result: Type.Record(Type.String(), Type.Unknown()) }),
  Type.Object({ ok: Type.Literal(false), error: WireError }),
]);
export type NodeRpcResponse = Static<typeof NodeRpcResponse>;

/** A `NodeRpcResponse`, or — for requests that named a 2026-era `client` — the input a parked handler waits for. */
export const NodeRpcReply = Type.Union([
  Type.Object({ ok: Type.Literal(true), result: Type.Record(Type.String(), Type.Unknown()) }),
  Type.Object({ ok: Type.Literal(false), error: WireError }),
  Type.Object({ ok: Type.Literal(true), inputRequired: Type.Record(Type.String(), InputRequest) }),
]);
export type NodeRpcReply = Static<typeof NodeRpcReply>;

/** The `CallReply` form of an rpc answer (the same fields; the response is a `NodeRpcReply`). */
export const NodeRpcAnswer = Type.Object({
  callId: Type.String(),
  v: Version,
  node: Type.String(),
  response: NodeRpcReply,
});
export type NodeRpcAnswer = Static<typeof NodeRpcAnswer>;

/** `calls.cancel` body. */
export const CancelCall = Type.Object({ callId: Type.String({ minLength: 1 }), reason: Type.Optional(Type.String()) });
export type CancelCall = Static<typeof CancelCall>;
