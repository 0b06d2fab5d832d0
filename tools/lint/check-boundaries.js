#!/usr/bin/env node
// Enforces the architecture's package boundaries (docs/decisions.md):
//  - imports between workspace projects follow tools/lint/boundaries.json (by nx tags in package.json);
//  - every imported workspace package is declared in the importer's package.json (the nx graph sees it);
//  - no deep imports into another package (`@entroscope/x/src/...`) and no relative path out of a project;
//  - restricted modules (gpu.js, inversify) only where allowed; banned patterns (Math.random) nowhere in src.
// Usage: node tools/lint/check-boundaries.js [workspace-root]. Exit 1 with one line per violation.
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function listProjects(root) {
  const projects = [];
  for (const group of ['packages', 'apps']) {
    const dir = path.join(root, group);
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir).sort()) {
      const manifest = path.join(dir, entry, 'package.json');
      if (!fs.existsSync(manifest)) continue;
      const pkg = readJson(manifest);
      projects.push({
        name: pkg.name,
        root: path.join(dir, entry),
        tags: (pkg.nx && pkg.nx.tags) || [],
        declared: new Set([...Object.keys(pkg.dependencies || {}), ...Object.keys(pkg.devDependencies || {})]),
        runtimeDeclared: new Set(Object.keys(pkg.dependencies || {})),
      });
    }
  }
  return projects;
}

function sourceFiles(dir) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') out.push(...sourceFiles(full));
    } else if (/\.(ts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function importsOf(text) {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => f.fileName);
}

function tagAllowed(constraints, fromTags, toTags, extra) {
  return fromTags.some((tag) => {
    const allowed = [...(constraints[tag] || []), ...extra];
    return allowed.includes('*') || toTags.some((t) => allowed.includes(t));
  });
}

function checkWorkspace(root, config = readJson(path.join(__dirname, 'boundaries.json'))) {
  const projects = listProjects(root);
  const byName = new Map(projects.map((p) => [p.name, p]));
  const violations = [];
  const banned = config.bannedPatterns.map((b) => ({ re: new RegExp(b.pattern), why: b.why }));
  for (const project of projects) {
    const untagged = project.tags.length === 0;
    if (untagged)
      violations.push(
        `${path.relative(root, project.root)}/package.json: expected nx.tags with a type:* tag, got none`,
      );
    for (const file of sourceFiles(path.join(project.root, 'src'))) {
      const rel = path.relative(root, file);
      const isSpec = /\.spec(-helper)?\.ts$/.test(file); // spec helpers are test code, excluded from builds
      const text = fs.readFileSync(file, 'utf8');
      for (const { re, why } of banned) {
        const lines = text.split('\n');
        lines.forEach((line, i) => {
          if (re.test(line) && !/^\s*(\/\/|\/?\*)/.test(line))
            violations.push(`${rel}:${i + 1}: ${why} (found ${re.source})`);
        });
      }
      for (const spec of importsOf(text)) {
        if (spec.startsWith('.')) {
          const target = path.resolve(path.dirname(file), spec);
          if (!target.startsWith(project.root + path.sep))
            violations.push(
              `${rel}: relative import '${spec}' leaves the project ${project.name}; import the package by name`,
            );
          continue;
        }
        const restricted = config.restrictedModules[spec.split('/')[0]] || config.restrictedModules[spec];
        if (restricted) {
          const byTag = project.tags.some((t) => restricted.allowTags.includes(t));
          const byFile = restricted.allowFiles && new RegExp(restricted.allowFiles).test(file);
          if (!byTag && !byFile) violations.push(`${rel}: imports '${spec}': ${restricted.why}`);
        }
        if (!spec.startsWith('@entroscope/')) continue;
        const parts = spec.split('/');
        const targetName = parts.slice(0, 2).join('/');
        if (parts.length > 2)
          violations.push(`${rel}: deep import '${spec}': import '${targetName}' and use its public API`);
        const target = byName.get(targetName);
        if (!target) {
          violations.push(`${rel}: imports unknown workspace package '${targetName}'`);
          continue;
        }
        if (target === project) {
          violations.push(`${rel}: imports its own package '${targetName}' by name; use a relative import`);
          continue;
        }
        const extra = isSpec
          ? [
              ...new Set([
                ...(config.specMayAlsoImport['*'] || []),
                ...project.tags.flatMap((t) => config.specMayAlsoImport[t] || []),
              ]),
            ]
          : [];
        if (!tagAllowed(config.depConstraints, project.tags, target.tags, extra)) {
          violations.push(
            `${rel}: ${project.name} [${project.tags.join(', ')}] may not import ${targetName} [${target.tags.join(', ')}] (tools/lint/boundaries.json)`,
          );
        }
        const declared = isSpec ? project.declared : project.runtimeDeclared;
        if (!declared.has(targetName))
          violations.push(
            `${rel}: imports ${targetName} but ${path.relative(root, project.root)}/package.json does not declare it as a ${isSpec ? '(dev)' : ''}dependency`,
          );
      }
    }
  }
  return violations;
}

module.exports = { checkWorkspace, listProjects };

if (require.main === module) {
  const root = path.resolve(process.argv[2] || path.join(__dirname, '..', '..'));
  const violations = checkWorkspace(root);
  if (violations.length > 0) {
    console.error(`Boundary lint: ${violations.length} violation(s):\n${violations.map((v) => `  - ${v}`).join('\n')}`);
    process.exit(1);
  }
  console.log(`Boundary lint: ${listProjects(root).length} projects, no violations.`);
}
