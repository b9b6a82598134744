import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** docs/operations.md names only files that exist, and one section per alert: a runbook must not rot quietly. */
const repo = join(__dirname, '..');
const runbook = readFileSync(join(repo, 'docs', 'operations.md'), 'utf8');
const fenced = [...runbook.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]!);
const inline = [...runbook.replace(/```\w*\n[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
const code = [...fenced, ...inline];

it('names only repository paths that exist', () => {
  const paths = new Set(code.flatMap((text) => [...text.matchAll(/(?:^|[\s=(])((?:deploy|docs|libs|services)\/[\w./-]*[\w]|Dockerfile)\b/g)].map((m) => m[1]!)));
  expect(paths.size).toBeGreaterThan(10);
  for (const path of paths) expect({ path, exists: existsSync(join(repo, path)) }).toEqual({ path, exists: true });
});

it('names a section for every alert of deploy/k8s/prometheus-rules.yaml, and an alert for every such section', () => {
  const rules = readFileSync(join(repo, 'deploy', 'k8s', 'prometheus-rules.yaml'), 'utf8');
  const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]!).sort();
  const sections = [...runbook.matchAll(/^### (Tremplin\w+)$/gm)].map((m) => m[1]!).sort();
  expect(sections).toEqual(alerts);
});
