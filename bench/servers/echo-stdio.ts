/**
 * A stdio MCP server with the echo tool (the SDK's `serveStdio`, both eras), for supergateway to
 * bridge. Usage: node bench/servers/echo-stdio.ts
 */
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { createEchoServer } from './echo-tool.ts';

serveStdio(() => createEchoServer());
