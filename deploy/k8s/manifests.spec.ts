import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { authConfigFromEnv } from '@tremplin/auth';
import { baseConfigSchema, loadConfig } from '@tremplin/service-kit';
import { SERVICES } from '../local/services';
import { runTool } from '../tools/tools';

/**
 * deploy/k8s rendered by Kustomize (the pinned kubectl's), every object checked against the Kubernetes 1.37
 * schema of its kind (kubernetes-validate --strict: unknown fields refused), then against the platform's rules.
 */
const k8s = __dirname;
const repo = join(k8s, '..', '..');
const TARGETS = ['base', 'overlays/staging', 'overlays/production'] as const;
const OVERLAYS = ['overlays/staging', 'overlays/production'] as const;
const AUTOSCALED = ['intake', 'lending', 'accompaniment'];
/** Step 1 of docs/operations.md "Upgrade": what must exist before the migration Jobs can run. */
const MIGRATION_STEP_SELECTOR = 'app.kubernetes.io/component in (platform,config,migration)';
const ALLOWED_EGRESS_PORTS = new Set([53, 5432, 9092, 9093, 443]);
/** Variables read outside the services' config schema: Node itself, @tremplin/privacy, lending's usury tables. */
const READ_ELSEWHERE = ['NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'PRIVACY_MASTER_KEY', 'PRIVACY_KEY_CACHE_TTL_MS', 'USURY_CAP_TABLES'];

// Minimal typed views of the objects the rules read.
type Labels = Record<string, string>;
interface Probe { httpGet?: { path?: string; port?: string | number } }
interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type: string } };
  containers: Container[];
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface Workload extends K8sObject {
  spec: { replicas?: number; selector?: { matchLabels: Labels }; template: { metadata: { labels: Labels }; spec: PodSpec } };
}
interface NetworkRule { ports?: { port: number; protocol?: string }[]; to?: Record<string, unknown>[]; from?: Record<string, unknown>[] }
interface NetworkPolicy extends K8sObject {
  spec: { podSelector: { matchLabels?: Labels }; policyTypes: string[]; egress?: NetworkRule[]; ingress?: NetworkRule[] };
}

let workdir: string;
const rendered = new Map<string, { text: string; objects: K8sObject[] }>();

function render(target: string): string {
  const result = runTool('kubectl', ['kustomize', join(k8s, target)]);
  if (result.status !== 0) throw new Error(`kubectl kustomize ${target} failed:\n${result.stderr}`);
  return result.stdout;
}

function parse(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length) throw new Error(doc.errors.map(String).join('\n'));
    return doc.toJSON() as K8sObject;
  });
}

function objects(target: string): K8sObject[] {
  const found = rendered.get(target);
  if (!found) throw new Error(`${target} was not rendered`);
  return found.objects;
}

const ofKind = <T extends K8sObject>(list: K8sObject[], kind: string) => list.filter((o) => o.kind === kind) as T[];
const matches = (selector: Labels, labels: Labels) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Evaluates a set-based label selector of the single `key in (a,b)` form the runbook uses. */
function selectBy(selector: string, list: K8sObject[]): K8sObject[] {
  const parsed = /^([\w./-]+) in \(([\w,-]+)\)$/.exec(selector);
  if (!parsed) throw new Error(`unsupported selector ${selector}`);
  const [, key, values] = parsed as unknown as [string, string, string];
  const allowed = new Set(values.split(','));
  return list.filter((o) => allowed.has(o.metadata.labels?.[key] ?? ''));
}

beforeAll(() => {
  workdir = mkdtempSync(join(tmpdir(), 'tremplin-k8s-'));
  for (const target of TARGETS) {
    const text = render(target);
    rendered.set(target, { text, objects: parse(text) });
  }
});

afterAll(() => {
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

describe('Kubernetes schemas', () => {
  it('renders the base, and every object of both overlays is valid for its kind (strict: no unknown field)', () => {
    expect(ofKind(objects('base'), 'Deployment')).toHaveLength(SERVICES.length);
    const files = OVERLAYS.map((target) => {
      const file = join(workdir, `${target.replace('/', '-')}.yaml`);
      writeFileSync(file, rendered.get(target)!.text);
      return file;
    });
    const result = runTool('kubernetes-validate', ['--strict', '--kubernetes-version', '1.37.0', ...files]);
    const passed = result.stdout.split('\n').filter((line) => line.startsWith('INFO') && line.includes(' passed for resource '));
    expect(result.stdout + result.stderr).not.toMatch(/ERROR|WARN/);
    expect(result.status).toBe(0);
    expect(passed).toHaveLength(OVERLAYS.reduce((n, target) => n + objects(target).length, 0));
  });

  it('the validator refuses a misspelt field, so a pass means something', () => {
    const deployment = objects('overlays/production').find((o) => o.kind === 'Deployment') as Workload;
    const broken = structuredClone(deployment);
    (broken.spec.template.spec.containers[0] as unknown as Record<string, unknown>)['readynessProbe'] = { httpGet: { path: '/health', port: 'http' } };
    const file = join(workdir, 'broken.yaml');
    writeFileSync(file, JSON.stringify(broken));
    const result = runTool('kubernetes-validate', ['--strict', '--kubernetes-version', '1.37.0', file]);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain("'readynessProbe' was unexpected");
  });
});

describe.each(OVERLAYS)('%s', (overlay) => {
  const list = () => objects(overlay);
  const deployments = () => ofKind<Workload>(list(), 'Deployment');
  const jobs = () => ofKind<Workload>(list(), 'Job');
  const deploymentOf = (service: string) => {
    const found = deployments().find((d) => d.metadata.name === `${service}-server`);
    if (!found) throw new Error(`no Deployment ${service}-server`);
    return found;
  };

  it('puts everything in one namespace that enforces the restricted Pod Security Standard', () => {
    const [namespace, ...others] = ofKind(list(), 'Namespace');
    expect(others).toEqual([]);
    expect(namespace!.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const object of list().filter((o) => o.kind !== 'Namespace')) expect(`${object.kind}/${object.metadata.name} in ${object.metadata.namespace}`).toBe(`${object.kind}/${object.metadata.name} in ${namespace!.metadata.name}`);
  });

  it('has exactly one Deployment per service, running that service', () => {
    expect(deployments().map((d) => d.metadata.name).sort()).toEqual(SERVICES.map((s) => `${s}-server`).sort());
    for (const service of SERVICES) {
      const [container, ...sidecars] = deploymentOf(service).spec.template.spec.containers;
      expect(sidecars).toEqual([]);
      expect(container!.command).toEqual(['node', '-r', '@swc-node/register', `services/${service}/src/main.ts`]);
      expect(existsSync(join(repo, 'services', service, 'src', 'main.ts'))).toBe(true);
    }
  });

  it('probes readiness on /health and liveness on /health/live, on the port the service listens on', () => {
    for (const deployment of deployments()) {
      const container = deployment.spec.template.spec.containers[0]!;
      const port = container.env?.find((e) => e.name === 'PORT')?.value;
      const http = container.ports?.find((p) => p.name === 'http');
      expect({ name: deployment.metadata.name, port: http?.containerPort }).toEqual({ name: deployment.metadata.name, port: Number(port) });
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
    }
  });

  it('gives every container CPU and memory requests and limits', () => {
    for (const workload of [...deployments(), ...jobs()]) {
      for (const container of workload.spec.template.spec.containers) {
        expect({ workload: workload.metadata.name, requests: Object.keys(container.resources?.requests ?? {}).sort(), limits: Object.keys(container.resources?.limits ?? {}).sort() }).toEqual({
          workload: workload.metadata.name,
          requests: ['cpu', 'memory'],
          limits: ['cpu', 'memory'],
        });
      }
    }
  });

  it('runs every pod as a non-root user, without privilege escalation, capabilities, a token or a writable root', () => {
    for (const workload of [...deployments(), ...jobs()]) {
      const pod = workload.spec.template.spec;
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(ofKind(list(), 'ServiceAccount').map((s) => s.metadata.name)).toContain(pod.serviceAccountName);
      for (const container of pod.containers) {
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      }
    }
  });

  it('pins one image by release tag for every workload, never latest', () => {
    const images = new Set([...deployments(), ...jobs()].flatMap((w) => w.spec.template.spec.containers.map((c) => c.image)));
    expect(images.size).toBe(1);
    const [image] = [...images] as [string];
    expect(image).toMatch(/^[\w.-]+(\/[\w.-]+)+:(?!latest$)[\w][\w.-]*$|@sha256:[0-9a-f]{64}$/);
  });

  it('guards every Deployment with a PodDisruptionBudget selecting its pods', () => {
    const budgets = ofKind<K8sObject & { spec: { selector: { matchLabels: Labels } } }>(list(), 'PodDisruptionBudget');
    for (const deployment of deployments()) {
      const guarding = budgets.filter((b) => matches(b.spec.selector.matchLabels, deployment.spec.template.metadata.labels));
      expect({ deployment: deployment.metadata.name, budgets: guarding.length }).toEqual({ deployment: deployment.metadata.name, budgets: 1 });
    }
  });

  it('autoscales the services that scale out, and leaves their replica count to the autoscaler', () => {
    const autoscalers = ofKind<K8sObject & { spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number } }>(list(), 'HorizontalPodAutoscaler');
    expect(autoscalers.map((h) => `${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}`).sort()).toEqual(AUTOSCALED.map((s) => `Deployment/${s}-server`).sort());
    for (const service of SERVICES) {
      const deployment = deploymentOf(service);
      if (AUTOSCALED.includes(service)) expect(deployment.spec.replicas).toBeUndefined();
      else expect(deployment.spec.replicas).toBeGreaterThanOrEqual(1);
    }
    for (const autoscaler of autoscalers) expect(autoscaler.spec.maxReplicas).toBeGreaterThan(autoscaler.spec.minReplicas);
  });

  it('has one migration Job per service, run as the owner role with the Deployment image', () => {
    expect(jobs().map((j) => j.metadata.name).sort()).toEqual(SERVICES.map((s) => `${s}-migrate`).sort());
    for (const service of SERVICES) {
      const job = jobs().find((j) => j.metadata.name === `${service}-migrate`)!;
      const container = job.spec.template.spec.containers[0]!;
      expect(container.command).toEqual(['node', '-r', '@swc-node/register', 'deploy/migrate.ts', service]);
      expect(container.envFrom).toEqual([{ secretRef: { name: `tremplin-${service}-migration` } }]);
      expect(container.image).toBe(deploymentOf(service).spec.template.spec.containers[0]!.image);
    }
  });

  it('keeps configuration in a ConfigMap and credentials in Secrets; servers never get the owner role', () => {
    expect(ofKind(list(), 'Secret')).toEqual([]); // created by the operator, never committed
    const configMaps = ofKind(list(), 'ConfigMap');
    for (const configMap of configMaps) {
      for (const key of Object.keys(configMap.data ?? {})) expect(key).not.toMatch(/PASSWORD|SECRET|TOKEN|DATABASE_URL|MASTER_KEY/);
    }
    for (const service of SERVICES) {
      const container = deploymentOf(service).spec.template.spec.containers[0]!;
      const configMap = container.envFrom?.find((e) => e.configMapRef)?.configMapRef?.name;
      expect(configMaps.map((c) => c.metadata.name)).toContain(configMap);
      expect(container.envFrom?.filter((e) => e.secretRef).map((e) => e.secretRef!.name)).toEqual([`tremplin-${service}`]);
      expect(container.env?.map((e) => e.name)).not.toContain('MIGRATION_DATABASE_URL');
    }
  });

  it("gives every service a configuration its own start-up validation accepts in production", () => {
    const configMap = ofKind(list(), 'ConfigMap').find((c) => c.metadata.name.startsWith('tremplin-config'))!;
    for (const deployment of deployments()) {
      const container = deployment.spec.template.spec.containers[0]!;
      const env: Record<string, string> = { ...configMap.data, ...Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? ''])) };
      // The Secret's keys, as docs/operations.md has the operator create them.
      const withSecrets = { ...env, DATABASE_URL: 'postgres://tremplin_app:secret@db.example.org:5432/x', PRIVACY_MASTER_KEY: Buffer.alloc(32).toString('base64') };
      expect(env['NODE_ENV']).toBe('production');
      expect(env['HOST']).toBe('0.0.0.0');
      // A misspelt name would be ignored silently by the service: every name must be one something reads.
      for (const name of Object.keys(env)) expect([...Object.keys(baseConfigSchema.shape), ...READ_ELSEWHERE]).toContain(name);
      expect(() => loadConfig(deployment.metadata.name, baseConfigSchema, withSecrets)).not.toThrow();
      expect(authConfigFromEnv(withSecrets).keys).toEqual({ kind: 'jwks-url', url: env['AUTH_JWKS_URL'] });
    }
  });

  it('lets pods reach only DNS, PostgreSQL, Kafka and the identity provider, and only HTTP in', () => {
    const policies = ofKind<NetworkPolicy>(list(), 'NetworkPolicy');
    const denyAll = policies.filter((p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.egress && !p.spec.ingress);
    expect(denyAll.map((p) => [...p.spec.policyTypes].sort())).toEqual([['Egress', 'Ingress']]);
    for (const policy of policies) {
      for (const rule of policy.spec.egress ?? []) {
        expect(rule.to?.length).toBeGreaterThan(0); // never "to anywhere"
        for (const port of rule.ports ?? [{ port: NaN }]) expect(ALLOWED_EGRESS_PORTS.has(port.port)).toBe(true);
        for (const peer of rule.to ?? []) {
          const cidr = (peer['ipBlock'] as { cidr?: string } | undefined)?.cidr;
          if (cidr) expect(cidr).not.toMatch(/^0\.0\.0\.0\/0$|^192\.0\.2\./); // overlays replace the base placeholders
        }
      }
      for (const rule of policy.spec.ingress ?? []) {
        expect(rule.from?.length).toBeGreaterThan(0);
        expect(rule.ports).toEqual([{ protocol: 'TCP', port: 3000 }]);
      }
    }
    const egressPorts = (labels: Labels) =>
      new Set(policies.filter((p) => matches(p.spec.podSelector.matchLabels ?? {}, labels)).flatMap((p) => (p.spec.egress ?? []).flatMap((r) => (r.ports ?? []).map((x) => x.port))));
    for (const deployment of deployments()) expect([...egressPorts(deployment.spec.template.metadata.labels)].sort()).toEqual([443, 53, 5432, 9092, 9093].sort());
    // The migration Jobs reach PostgreSQL and DNS only.
    for (const job of jobs()) expect([...egressPorts(job.spec.template.metadata.labels)].sort()).toEqual([53, 5432].sort());
  });

  it('can run the migration Jobs first: the runbook selection holds them and all they need', () => {
    const operations = readFileSync(join(repo, 'docs', 'operations.md'), 'utf8');
    expect(operations).toContain(`-l '${MIGRATION_STEP_SELECTOR}'`);
    const first = selectBy(MIGRATION_STEP_SELECTOR, list());
    const names = (kind: string) => first.filter((o) => o.kind === kind).map((o) => o.metadata.name);
    expect(names('Job').sort()).toEqual(jobs().map((j) => j.metadata.name).sort());
    expect(names('Deployment')).toEqual([]);
    expect(names('Namespace')).toHaveLength(1);
    for (const job of jobs()) expect(names('ServiceAccount')).toContain(job.spec.template.spec.serviceAccountName);
    // Under default-deny, the Jobs' egress policies must come with them.
    expect(names('NetworkPolicy').sort()).toEqual(ofKind(list(), 'NetworkPolicy').map((p) => p.metadata.name).sort());
  });
});
