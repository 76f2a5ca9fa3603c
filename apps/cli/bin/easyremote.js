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
await import('../dist/main.js');
