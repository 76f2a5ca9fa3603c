#!/usr/bin/env node
// Committed entry point, so npm links the `easyremote-mcp` bin on a fresh clone before the build runs.
import '../dist/main.js';
