import { parseArgs } from 'node:util';
import { DEFAULT_KEY_SCOPES, KEYS_BUCKET, KeyStore } from '@easyremote/auth';
import { connectCommand } from '../mesh-target.js';

export const keysHelp = `easyremote keys <create|list|revoke>

Manages the gateway API keys kept (hashed) in NATS KV. Every gateway sees a change within a second.
  keys create [--name NAME] [--scopes a,b,...]   prints the new key ONCE (default scopes: ${DEFAULT_KEY_SCOPES.join(',')})
  keys list [--json]                             ids, names, scopes, created/revoked times (never keys)
  keys revoke <id>                               refuses the key on every gateway from now on
Scopes: tools:list, tools:call, tools:call:<name glob>, category:<glob>, tools:high,
        resources:read[:<uri glob>], prompts:get[:<name glob>], admin.
Environment: NATS_URL (default nats://127.0.0.1:4222), NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS,
NATS_CA, NATS_CERT/NATS_KEY, NATS_INBOX_PREFIX (as the gateway), EASYREMOTE_KEYS_BUCKET (default ${KEYS_BUCKET}).
`;

export async function runKeys(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [action, id] = positionals;
  if (action !== 'create' && action !== 'list' && action !== 'revoke')
    throw new Error(`keys needs create, list or revoke\n\n${keysHelp}`);
  const nc = await connectCommand('keys');
  try {
    const store = await KeyStore.open(nc, { bucket: process.env.EASYREMOTE_KEYS_BUCKET ?? KEYS_BUCKET });
    if (action === 'create') {
      const scopes =
        values.scopes === undefined
          ? DEFAULT_KEY_SCOPES
          : values.scopes
              .split(',')
              .map((scope) => scope.trim())
              .filter(Boolean);
      const { key, record } = await store.create(values.name ?? 'unnamed', scopes);
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ key, id: record.id, name: record.name, scopes: record.scopes })}\n`
          : `API key: ${key}\n  id:     ${record.id}\n  name:   ${record.name}\n  scopes: ${record.scopes.join(',')}\nStore it now: it is not shown again (only its hash is kept).\n`,
      );
    } else if (action === 'list') {
      const records = (await store.list()).map(({ secretHash: _hash, ...record }) => record);
      if (values.json) process.stdout.write(`${JSON.stringify(records)}\n`);
      else
        for (const record of records) {
          process.stdout.write(
            `${record.id}  ${record.revokedAt ? 'revoked' : 'active '}  ${record.name}  [${record.scopes.join(',')}]  created ${record.createdAt}\n`,
          );
        }
    } else {
      if (id === undefined) throw new Error('keys revoke needs the key id (see "easyremote keys list")');
      const record = await store.revoke(id);
      process.stdout.write(`revoked ${record.id} (${record.name}) at ${record.revokedAt}\n`);
    }
  } finally {
    await nc.close();
  }
}
