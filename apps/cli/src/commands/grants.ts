import { parseArgs } from 'node:util';
import { GRANTS_BUCKET, isValidNodeId, isValidToolName, REGISTRY_BUCKET } from '@easyremote/protocol';
import {
  advertisedDescriptor,
  GrantStore,
  isValidToolGlob,
  natsToolSubjects,
  openRegistry,
  RegistryError,
  RegistryErrorCode,
  securityRank,
  type NodeGrant,
  type ToolPin,
} from '@easyremote/registry';
import { connectCommand } from '../mesh-target.js';

export const grantsHelp = `easyremote grants <set|list|revoke|approve|unpin|subjects>

Which tools each compute node may serve, and which descriptor of each tool is the approved one
(ADR 0011). Kept in the NATS KV bucket ${GRANTS_BUCKET}; every gateway applies a change within a second.
  grants set <node-id> <glob,...>        the node may serve exactly the tools these globs match
                                         (* matches any characters; replaces the node's previous grant)
  grants list [--json]                   grants, then approved descriptors (digest, source node, level)
  grants revoke <node-id>                the node keeps no grant
  grants approve <tool> --node <node-id> the descriptor that node advertises now becomes the approved one
                                         (how an operator accepts a changed schema or a lower level)
  grants unpin <tool>                    forget the approved descriptor; gateways approve the next one
                                         the entitled nodes agree on
  grants subjects <node-id>              the node's tool subjects for its NATS user (TOOL_SUBJECTS in
                                         nats/secure/node-user.conf.tmpl)
A node without a grant: gateways with EASYREMOTE_NODE_GRANTS=required (the default when they
authenticate to NATS) let it serve nothing; open gateways let it serve any tool no grant names.
Add --json to any command for machine-readable output.
Environment: NATS_URL (default nats://127.0.0.1:4222), NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS,
NATS_CA, NATS_CERT/NATS_KEY, NATS_INBOX_PREFIX (as the gateway), EASYREMOTE_GRANTS_BUCKET (${GRANTS_BUCKET}),
EASYREMOTE_REGISTRY_BUCKET (${REGISTRY_BUCKET}, read by approve), EASYREMOTE_KV_REPLICAS (1).
`;

const LEVELS = ['low', 'standard', 'high'] as const;

function describePin(pin: ToolPin): Record<string, unknown> {
  return {
    tool: pin.tool,
    digest: pin.digest,
    nodeId: pin.nodeId,
    by: pin.by,
    pinnedAt: pin.pinnedAt,
    securityLevel: LEVELS[securityRank(pin.descriptor)],
  };
}

function grantLine(grant: NodeGrant): string {
  return `${grant.nodeId}  ${grant.tools.join(',')}  updated ${grant.updatedAt}\n`;
}

function pinLine(pin: ToolPin): string {
  return `${pin.tool}  ${pin.digest.slice(0, 12)}  ${LEVELS[securityRank(pin.descriptor)]}  from ${pin.nodeId} (${pin.by}) at ${pin.pinnedAt}\n`;
}

function usage(message: string): Error {
  return new Error(`${message}\n\n${grantsHelp}`);
}

/** Bad names fail before connecting, so the message is about the input, not about reaching NATS. */
function checkArguments(action: string, subject: string, globs: string | undefined, node: string | undefined): void {
  const invalid = (message: string) => new RegistryError(RegistryErrorCode.InvalidGrant, message);
  const nodeIds =
    action === 'approve' ? [node!] : action === 'set' || action === 'revoke' || action === 'subjects' ? [subject] : [];
  for (const id of nodeIds)
    if (!isValidNodeId(id))
      throw invalid(`invalid node id ${JSON.stringify(id)}: use 1-64 characters of A-Z a-z 0-9 _ -`);
  if ((action === 'approve' || action === 'unpin') && !isValidToolName(subject))
    throw invalid(`invalid tool name ${JSON.stringify(subject)}`);
  const bad = globs
    ?.split(',')
    .map((glob) => glob.trim())
    .find((glob) => glob !== '' && !isValidToolGlob(glob));
  if (bad !== undefined)
    throw invalid(
      `invalid tool glob ${JSON.stringify(bad)}: use 1-128 characters of A-Z a-z 0-9 _ . - and * (any characters)`,
    );
}

export async function runGrants(
  argv: string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { node: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [action, subject, globs] = positionals;
  const json = values.json === true;
  if (action === 'set' && (subject === undefined || globs === undefined))
    throw usage('grants set needs a node id and a comma-separated list of tool globs');
  if (
    (action === 'revoke' || action === 'approve' || action === 'unpin' || action === 'subjects') &&
    subject === undefined
  )
    throw usage(`grants ${action} needs a ${action === 'revoke' || action === 'subjects' ? 'node id' : 'tool name'}`);
  if (action === 'approve' && values.node === undefined)
    throw usage('grants approve needs --node <node-id>: the node whose advertised descriptor becomes the approved one');
  if (
    action !== 'set' &&
    action !== 'list' &&
    action !== 'revoke' &&
    action !== 'approve' &&
    action !== 'unpin' &&
    action !== 'subjects'
  )
    throw usage('grants needs set, list, revoke, approve, unpin or subjects');
  const expected = action === 'set' ? 3 : action === 'list' ? 1 : 2;
  if (positionals.length > expected) throw usage(`unexpected argument ${JSON.stringify(positionals[expected])}`);
  checkArguments(action, subject!, globs, values.node);
  const replicas = Number(env.EASYREMOTE_KV_REPLICAS ?? '1');
  const nc = await connectCommand('grants', { env });
  try {
    const store = await GrantStore.open(nc, { bucket: env.EASYREMOTE_GRANTS_BUCKET ?? GRANTS_BUCKET, replicas });
    const print = (value: unknown, text: string): void => {
      process.stdout.write(json ? `${JSON.stringify(value)}\n` : text);
    };
    switch (action) {
      case 'set': {
        const grant = await store.set(subject!, globs!.split(','));
        return print(grant, `granted ${grant.nodeId}: ${grant.tools.join(',')}\n`);
      }
      case 'revoke': {
        const grant = await store.revoke(subject!);
        return print(grant, `revoked the grant of ${grant.nodeId} (was ${grant.tools.join(',')})\n`);
      }
      case 'list': {
        const [grants, pins] = await Promise.all([store.list(), store.pins()]);
        const text =
          `Grants (${grants.length})\n${grants.map(grantLine).join('') || '  (none: only open gateways serve anything)\n'}` +
          `Approved descriptors (${pins.length})\n${pins.map(pinLine).join('') || '  (none yet)\n'}`;
        return print({ grants, approved: pins.map(describePin) }, text);
      }
      case 'approve': {
        const registry = await openRegistry(nc, {
          bucket: env.EASYREMOTE_REGISTRY_BUCKET ?? REGISTRY_BUCKET,
          replicas,
        });
        const pin = await store.approve(await advertisedDescriptor(registry, values.node!, subject!), values.node!);
        return print(
          describePin(pin),
          `approved ${pin.tool} as node ${pin.nodeId} advertises it: ${pin.digest.slice(0, 12)} (${LEVELS[securityRank(pin.descriptor)]})\n`,
        );
      }
      case 'subjects': {
        const subjects = natsToolSubjects((await store.get(subject!)).tools);
        return print(subjects, `${subjects.map((name) => JSON.stringify(name)).join(', ')}\n`);
      }
      case 'unpin': {
        const pin = await store.unpin(subject!);
        return print(
          describePin(pin),
          `forgot the approved descriptor of ${pin.tool} (${pin.digest.slice(0, 12)} from ${pin.nodeId})\n`,
        );
      }
    }
  } finally {
    await nc.close();
  }
}
