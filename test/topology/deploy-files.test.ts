import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/processes.js';
import { lintDockerfile, parseDockerfile } from './support/dockerfile-lint.js';
import { findTool, runsWith } from '../support/optional-tools.js';
import { DEPLOY_DIR, HAPROXY_CFG, NATS_CLUSTER_CONF, NATS_LEAF_CONF } from './support/paths.js';

// No Docker engine or Kubernetes cluster runs here: these checks are what CI can prove about deploy/.
type Service = {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
};
type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const read = (path: string) => readFileSync(path, 'utf8');
const compose = parse(read(join(DEPLOY_DIR, 'compose.yaml')), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

/** The `$VARIABLES` a nats-server config reads from the environment. */
const confVariables = (file: string) =>
  new Set(
    [
      ...read(file)
        .replace(/#.*$/gm, '')
        .matchAll(/\$([A-Z_]+)/g),
    ].map((match) => match[1]!),
  );
/** Environment variables the gateway and the node CLI read (their config loaders are the source). */
const gatewayEnv = new Set(
  [...read(join(REPO_ROOT, 'libs/gateway/src/config.ts')).matchAll(/env: '([A-Z_]+)'/g)].map((match) => match[1]!),
);
const nodeEnv = new Set(
  [...read(join(REPO_ROOT, 'libs/node-runner/src/node-config.ts')).matchAll(/env: '([A-Z_]+)'/g)].map(
    (match) => match[1]!,
  ),
);

const manifestDir = join(DEPLOY_DIR, 'kubernetes');
const manifests: Manifest[] = readdirSync(manifestDir)
  .filter((file) => file.endsWith('.yaml') && !['kustomization.yaml', 'nats-values.yaml'].includes(file))
  .flatMap((file) => parseAllDocuments(read(join(manifestDir, file))).map((doc) => doc.toJS() as Manifest));
const manifest = (kind: string, name: string) =>
  manifests.find((entry) => entry.kind === kind && entry.metadata.name === name);

describe('deploy/compose.yaml', () => {
  it('runs a three-server NATS cluster from nats/cluster.conf, with every variable it reads and a health check', () => {
    const needed = confVariables(NATS_CLUSTER_CONF);
    for (const name of ['nats-1', 'nats-2', 'nats-3']) {
      const service = services[name]!;
      expect(service.image).toMatch(/^nats:/);
      expect(service.command).toEqual(['-c', '/etc/nats/cluster.conf', '-p', '4222', '-sd', '/data']);
      expect(service.volumes).toContain('../nats/cluster.conf:/etc/nats/cluster.conf:ro');
      expect(Object.keys(service.environment!).sort()).toEqual([...needed].sort());
      expect(service.environment!.NATS_SERVER_NAME).toBe(name);
      expect(service.environment!.NATS_ROUTES).toBe('[nats://nats-1:6222, nats://nats-2:6222, nats://nats-3:6222]');
      expect(service.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8222/healthz');
    }
  });

  it('runs three gateways on every NATS member, replicated buckets, a shared session secret and a readiness check', () => {
    for (const name of ['gateway-1', 'gateway-2', 'gateway-3']) {
      const service = services[name]!;
      const env = service.environment!;
      expect(service.command).toEqual(['gateway']);
      expect(env.NATS_URL).toBe('nats://nats-1:4222,nats://nats-2:4222,nats://nats-3:4222');
      expect(env).toMatchObject({ HOST: '0.0.0.0', PORT: '8080', EASYREMOTE_KV_REPLICAS: '3' });
      expect(env.EASYREMOTE_SESSION_SECRET).toMatch(/^\$\{EASYREMOTE_SESSION_SECRET:\?/);
      for (const variable of Object.keys(env)) expect(gatewayEnv, `${name}: ${variable}`).toContain(variable);
      expect(service.healthcheck?.test.join(' ')).toContain('/readyz');
      for (const member of ['nats-1', 'nats-2', 'nats-3'])
        expect(service.depends_on?.[member]).toEqual({ condition: 'service_healthy' });
    }
  });

  it('puts HAProxy with deploy/haproxy.cfg in front of exactly those gateways', () => {
    const lb = services.lb!;
    expect(lb.image).toMatch(/^haproxy:/);
    expect(lb.volumes).toContain('./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    expect(lb.ports).toEqual(['8080:8080']);
    expect(Object.keys(lb.depends_on!).sort()).toEqual(['gateway-1', 'gateway-2', 'gateway-3']);
    const servers = [...read(HAPROXY_CFG).matchAll(/^\s*server (\S+) "\$\{GATEWAY_\d-([^}]+)\}"/gm)].map((match) => [
      match[1],
      match[2],
    ]);
    expect(servers).toEqual([1, 2, 3].map((n) => [`gateway-${n}`, `gateway-${n}:8080`]));
    expect(lb.healthcheck).toBeDefined();
  });

  it('runs toolbox nodes and an optional edge site whose node registers through the hub domain', () => {
    const toolbox = services.toolbox!;
    expect(toolbox.command).toEqual(['node', '@easyremote/toolbox']);
    expect(toolbox.environment).toMatchObject({
      NATS_URL: 'nats://nats-1:4222,nats://nats-2:4222,nats://nats-3:4222',
      EASYREMOTE_KV_REPLICAS: '3',
    });
    const edge = services['edge-nats']!;
    expect(edge.profiles).toEqual(['edge']);
    expect(edge.volumes).toContain('../nats/leaf.conf:/etc/nats/leaf.conf:ro');
    expect(Object.keys(edge.environment!).sort()).toEqual([...confVariables(NATS_LEAF_CONF)].sort());
    expect(services['edge-node']!.environment).toMatchObject({
      NATS_URL: 'nats://edge-nats:4222',
      EASYREMOTE_JS_DOMAIN: 'hub',
    });
    for (const name of ['toolbox', 'edge-node']) {
      for (const variable of Object.keys(services[name]!.environment!))
        expect(nodeEnv, `${name}: ${variable}`).toContain(variable);
    }
  });

  it('references only services, volumes, files and build targets that exist', () => {
    const stages = new Set(parseDockerfile(read(join(DEPLOY_DIR, 'Dockerfile'))).stages.map((stage) => stage.name));
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {}))
        expect(services, `${name} depends on ${dependency}`).toHaveProperty([dependency]);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) expect(existsSync(join(DEPLOY_DIR, source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes, `${name}: volume ${source}`).toHaveProperty([source]);
      }
      if (service.build) {
        expect(existsSync(join(DEPLOY_DIR, service.build.context, service.build.dockerfile))).toBe(true);
        expect(stages).toContain(service.build.target);
      }
    }
  });
});

describe('deploy/kubernetes', () => {
  it('every manifest validates against the Kubernetes OpenAPI schemas (kubernetes-models)', async () => {
    expect(manifests.length).toBeGreaterThanOrEqual(6);
    for (const entry of manifests) {
      const group = (await import(`kubernetes-models/${entry.apiVersion}`)) as Record<
        string,
        new (data: unknown) => { validate(): void }
      >;
      const Model = group[entry.kind];
      expect(Model, `${entry.apiVersion} ${entry.kind}`).toBeDefined();
      expect(() => new Model!(entry).validate(), `${entry.kind} ${entry.metadata.name}`).not.toThrow();
    }
  });

  it('the kustomization lists every manifest', () => {
    const kustomization = parse(read(join(manifestDir, 'kustomization.yaml'))) as { resources: string[] };
    const files = readdirSync(manifestDir).filter(
      (file) => file.endsWith('.yaml') && !['kustomization.yaml', 'nats-values.yaml'].includes(file),
    );
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it('gateways: /readyz readiness, /healthz liveness, non-root, selected by the Service, scaled by the HPA, guarded by a PDB', () => {
    const deployment = manifest('Deployment', 'easyremote-gateway')!;
    const pod = deployment.spec.template;
    const container = pod.spec.containers[0];
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080 }]);
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    const env = Object.fromEntries(
      container.env.map((entry: { name: string; value?: string }) => [entry.name, entry.value]),
    );
    expect(env).toMatchObject({ HOST: '0.0.0.0', PORT: '8080', EASYREMOTE_KV_REPLICAS: '3' });
    expect(env.NATS_URL).toMatch(/^nats:\/\//);
    for (const name of Object.keys(env)) expect(gatewayEnv).toContain(name);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);

    const service = manifest('Service', 'easyremote-gateway')!;
    expect(pod.metadata.labels).toMatchObject(service.spec.selector);
    expect(service.spec.sessionAffinity).toBe('None');
    const hpa = manifest('HorizontalPodAutoscaler', 'easyremote-gateway')!;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'easyremote-gateway' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(pod.metadata.labels).toMatchObject(
      manifest('PodDisruptionBudget', 'easyremote-gateway')!.spec.selector.matchLabels,
    );
  });

  it('compute nodes: the toolbox on NATS with replicated registry writes and a unique node id per pod', () => {
    const container = manifest('Deployment', 'easyremote-toolbox')!.spec.template.spec.containers[0];
    expect(container.args).toEqual(['node', '@easyremote/toolbox']);
    const names = container.env.map((entry: { name: string }) => entry.name);
    expect(names).toEqual(expect.arrayContaining(['NATS_URL', 'EASYREMOTE_KV_REPLICAS', 'EASYREMOTE_NODE_ID']));
    for (const name of names) expect(nodeEnv).toContain(name);
  });

  it('NATS through the official Helm chart: three members, JetStream domain hub, leafnodes, 2 s pings', () => {
    const values = parse(read(join(manifestDir, 'nats-values.yaml'))) as { config: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(values.config.cluster).toMatchObject({ enabled: true, replicas: 3 });
    expect(values.config.jetstream).toMatchObject({ enabled: true, merge: { domain: 'hub' } });
    expect(values.config.leafnodes.enabled).toBe(true);
    expect(values.config.merge).toMatchObject({ ping_interval: '2s', ping_max: 2 });
    // The Helm release `nats` is the Service the gateways and nodes connect to.
    expect(manifest('Deployment', 'easyremote-toolbox')!.spec.template.spec.containers[0].env[0]).toEqual({
      name: 'NATS_URL',
      value: 'nats://nats:4222',
    });
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = read(join(DEPLOY_DIR, 'Dockerfile'));

  it('is multi-stage, runs as a non-root user and ships no dev dependencies or sources', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
    const { stages } = parseDockerfile(dockerfile);
    expect(stages.map((stage) => stage.name)).toEqual(['build', 'runtime', 'toolbox', 'gateway']);
    const build = stages[0]!;
    expect(
      build.instructions.some(
        ({ keyword, args }) => keyword === 'RUN' && args.includes('npm ci') && args.includes('npm run build'),
      ),
    ).toBe(true);
    // Whatever the build stage copies from the context exists.
    for (const { args } of build.instructions.filter((instruction) => instruction.keyword === 'COPY')) {
      for (const source of args.split(/\s+/).slice(0, -1))
        expect(existsSync(join(REPO_ROOT, source)), source).toBe(true);
    }
    const runtime = stages[1]!;
    expect(runtime.instructions.filter(({ keyword }) => keyword === 'COPY').map(({ args }) => args)).toEqual([
      '--from=build /out/ ./',
    ]);
    expect(runtime.instructions.find(({ keyword }) => keyword === 'ENTRYPOINT')?.args).toBe(
      '["node", "apps/cli/dist/main.js"]',
    );
    expect(existsSync(join(REPO_ROOT, 'apps/cli/src/main.ts'))).toBe(true);
  });

  it('keeps node_modules and build output out of the build context', () => {
    const ignored = read(join(DEPLOY_DIR, 'Dockerfile.dockerignore')).split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git']));
  });
});

describe('deploy/haproxy.cfg', () => {
  const config = read(HAPROXY_CFG);
  const haproxy = findTool('haproxy');

  it('balances round-robin with no stickiness, checks /readyz and keeps SSE streams open', () => {
    expect(config).toMatch(/^\s*balance roundrobin$/m);
    expect(config).not.toMatch(/^\s*(cookie|stick|hash-type|balance source)/m);
    expect(config).toMatch(/uri \/readyz/);
    expect(config).toMatch(/^\s*timeout tunnel 1h$/m);
    const serverTimeout = Number(/^\s*timeout server (\d+)s$/m.exec(config)?.[1]);
    expect(serverTimeout * 1000).toBeGreaterThan(30_000 + 1_000); // the default call timeout and its grace
  });

  it.runIf(runsWith('haproxy'))('passes haproxy -c', () => {
    if (haproxy === undefined) throw new Error('haproxy is not installed (Debian/Ubuntu: apt-get install -y haproxy)');
    const output = execFileSync(haproxy, ['-c', '-f', HAPROXY_CFG], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(output).toContain('Configuration file is valid');
  });
});
