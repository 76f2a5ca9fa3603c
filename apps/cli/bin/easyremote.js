#!/usr/bin/env node
// Committed entry point, so npm links the `easyremote` bin on a fresh clone before the build runs. It checks
// the running Node before loading anything that needs a newer one (package.json "engines": >=22.18).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `easyremote: needs Node.js >= 22.18 (this is ${process.version}); get Node 24 from https://nodejs.org, or \`nvm install 24\`, or \`npm install --prefix ~/.cache/easyremote-node node@24\` and put its node_modules/.bin first on PATH\n`,
  );
  process.exit(1);
}
// Node's compile cache (in the temp directory, or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns
// it off) keeps compiled code and stripped TypeScript across starts: a node's tools module written in
// TypeScript is then not stripped again, which spares the stripper's memory and time on every start.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../dist/main.js');
