export { MCPClient } from './mcp-client.js';
export type { MCPClientOptions } from './mcp-client.js';
export type { AwaitTaskOptions, TaskStatus } from './task-requests.js';
export { RemoteMesh, connectRemote } from './remote.js';
export type { ConnectRemoteOptions, RemoteCallOptions, RemoteFunction } from './remote.js';
export { toolValue } from './tool-value.js';
export type { RemoteTask, AwaitRemoteTaskOptions } from './remote-tasks.js';
export { ClientError, ClientErrorCode, RemoteToolError } from './errors.js';
