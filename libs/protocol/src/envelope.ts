import { Type, type Static } from 'typebox';

/**
 * The call envelope: what a gateway (or `remote()`) sends to a node on `tools.<token>` or
 * `nodes.<id>.call`, and what the node answers. JSON in the body; call id, deadline and trace
 * context in headers (see headers.ts).
 */
export const CallRequest = Type.Object({
  tool: Type.String({ minLength: 1, maxLength: 128 }),
  arguments: Type.Record(Type.String(), Type.Unknown()),
  /** MCP request `_meta` forwarded from the client (progress token, trace context, ...). */
  meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
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

export const CallResponse = Type.Union([
  Type.Object({ ok: Type.Literal(true), result: CallResult }),
  Type.Object({ ok: Type.Literal(false), error: WireError }),
]);
export type CallResponse = Static<typeof CallResponse>;

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
