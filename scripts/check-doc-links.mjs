// Checks README.md and docs/*.md: every relative link and image resolves (with its #anchor), and every
// `electron/…`, `renderer/…`, `tests/…` path written in backticks exists. Run: node scripts/check-doc-links.mjs
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const files = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
function slugOf(heading) {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchorsOf(file) {
  const seen = new Map();
  const anchors = new Set();
  let fenced = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const match = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!match) continue;
    const slug = slugOf(match[1]);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count ? `${slug}-${count}` : slug);
  }
  return anchors;
}

const problems = [];
for (const file of files) {
  const text = readFileSync(path.join(root, file), 'utf8');
  const prose = text.replace(/```[\s\S]*?```/g, '');
  for (const [, target] of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue;
    const [where, anchor] = target.split('#');
    const resolved = where ? path.resolve(path.dirname(path.join(root, file)), decodeURIComponent(where)) : path.join(root, file);
    if (!existsSync(resolved)) problems.push(`${file}: link to missing ${target}`);
    else if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(anchor)) problems.push(`${file}: no heading #${anchor} in ${where || file}`);
  }
  for (const [, code] of prose.matchAll(/`([^`\n]+)`/g)) {
    const match = /^((?:electron|renderer|tests|bench|scripts)\/[\w./*{},-]*)/.exec(code);
    if (!match || /[*{}]/.test(match[1])) continue;
    const candidate = match[1].replace(/[.,]$/, '');
    if (!existsSync(path.join(root, candidate))) problems.push(`${file}: path \`${candidate}\` does not exist`);
  }
}
for (const problem of problems) console.log(problem);
console.log(problems.length ? `${problems.length} problem(s)` : `all links and paths resolve (${files.length} files)`);
process.exitCode = problems.length ? 1 : 0;
