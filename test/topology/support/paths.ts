import { join } from 'node:path';
import { REPO_ROOT } from '../../support/processes.js';

/** The committed files the topology tests run: what an operator deploys is what the tests exercise. */
export const NATS_DEV_CONF = join(REPO_ROOT, 'nats/dev.conf');
export const NATS_CLUSTER_CONF = join(REPO_ROOT, 'nats/cluster.conf');
export const NATS_LEAF_CONF = join(REPO_ROOT, 'nats/leaf.conf');
export const HAPROXY_CFG = join(REPO_ROOT, 'deploy/haproxy.cfg');
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');

export const SITE_TOOLS = 'test/topology/fixtures/site-tools.ts';
export const EDGE_TOOLS = 'test/topology/fixtures/edge-tools.ts';
