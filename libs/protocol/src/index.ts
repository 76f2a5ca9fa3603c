export { EasyRemoteError, hasErrorCode, WireErrorCode } from './errors.js';
export { TOOL_NAME_PATTERN, NODE_ID_PATTERN, isValidToolName, isValidNodeId, toolNameToToken, tokenToToolName } from './tool-name.js';
export { Subjects, TOOL_QUEUE_GROUP, REGISTRY_BUCKET, toolSubject, nodeCallSubject, registryKey } from './subjects.js';
export { Headers } from './headers.js';
export { MESH_PROTOCOL_VERSION, MODERN_MCP_VERSION, LEGACY_MCP_VERSIONS } from './version.js';
export { CallRequest, CallResult, CallResponse, WireError } from './envelope.js';
export { ToolMetadata, ToolDescriptor, NodeCapabilities, NodeLoad, NodeAdvert } from './advert.js';
export { ProtocolErrorCode, encodeJson, decodeCallRequest, decodeCallResponse, decodeNodeAdvert } from './codec.js';
