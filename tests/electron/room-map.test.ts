import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

/**
 * The core's rooms from the ground up, and the rooms each may import (docs/architecture.md draws this).
 * Arrows point down only: a room may use the rooms listed for it, never one above it.
 */
const coreRooms: Record<string, string[]> = {
  base: [],
  fs: ['base'],
  text: ['base'],
  net: ['base'],
  app: ['base'],
  log: ['base', 'fs'],
  archive: ['base', 'fs'],
  prefs: ['base', 'fs', 'log'],
  secrets: ['base', 'fs'],
  document: ['base', 'fs'],
  codes: ['base', 'fs', 'text'],
  qr: ['base', 'document'],
  imaging: ['base', 'fs', 'net', 'codes'],
  inspection: ['base', 'fs', 'log', 'document', 'qr', 'codes'],
  split: ['base', 'fs', 'document', 'qr', 'codes'],
  cover: ['base', 'fs', 'text', 'log', 'archive', 'document', 'qr', 'codes', 'inspection'],
  scanner: ['base', 'fs', 'text', 'log', 'net', 'document'],
  spool: ['base', 'fs', 'log', 'document', 'codes', 'split', 'imaging'],
  intake: ['base', 'fs', 'text', 'log', 'document', 'spool'],
  capture: ['base', 'fs', 'log', 'app', 'prefs', 'document', 'codes', 'split', 'spool', 'scanner'],
  endpoint: ['base', 'fs', 'log', 'net', 'secrets', 'imaging'],
  desk: ['base', 'fs', 'text', 'log', 'app', 'prefs', 'codes', 'split', 'spool', 'intake', 'endpoint'],
  upload: ['base', 'fs', 'log', 'imaging', 'spool'],
  diagnose: ['base', 'fs', 'log', 'app', 'archive', 'prefs', 'imaging', 'split', 'spool', 'upload', 'endpoint'],
};

/** The process-level parts of electron/ and what each may import (shared is the floor of everything). */
const electronParts: Record<string, string[]> = {
  shared: [],
  core: ['shared'],
  ipc: ['shared', 'core'],
  server: ['shared', 'core', 'ipc'],
  cli: ['shared', 'core', 'ipc', 'server'],
  main: ['shared', 'core', 'ipc', 'server'],
  preload: ['shared'],
};

/** Every TypeScript source under `dir`. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourcesUnder(file);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [file] : [];
  });
}

/** The repository files a source imports by relative path: static, type-only, re-exports and import(). */
function importsOf(file: string, known: Set<string>): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((entry) => entry.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => path.join(path.dirname(file), spec).replace(/\.js$/, ''))
    .flatMap((stem) => [`${stem}.ts`, `${stem}.tsx`, path.join(stem, 'index.ts')].filter((candidate) => known.has(candidate)).slice(0, 1));
}

/** The import graph of every source under the given folders. */
function importGraph(dirs: string[]): Map<string, string[]> {
  const files = dirs.flatMap(sourcesUnder);
  const known = new Set(files);
  return new Map(files.map((file) => [file, importsOf(file, known)]));
}

/** Strongly connected groups of more than one file (Tarjan), each an import cycle. */
function findCycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1) cycles.push(group.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

/** The arrows between groups of files (`groupOf` names a file's group) that the table does not allow. */
function forbiddenArrows(graph: Map<string, string[]>, groupOf: (file: string) => string | null, allowed: Record<string, string[]>): string[] {
  const found = new Set<string>();
  for (const [from, targets] of graph) {
    const fromGroup = groupOf(from);
    if (fromGroup === null) continue;
    for (const to of targets) {
      const toGroup = groupOf(to);
      if (toGroup === null || toGroup === fromGroup) continue;
      if (!(allowed[fromGroup] ?? []).includes(toGroup)) found.add(`${fromGroup} -> ${toGroup} (${from} imports ${to})`);
    }
  }
  return [...found].sort();
}

const coreRoot = path.join('electron', 'core');

test('the core has one file at its top (create-core.ts wires the rooms) and every room is on the map', () => {
  const entries = readdirSync(coreRoot);
  const files = entries.filter((name) => !statSync(path.join(coreRoot, name)).isDirectory());
  assert.deepEqual(files, ['create-core.ts']);
  const rooms = entries.filter((name) => statSync(path.join(coreRoot, name)).isDirectory()).sort();
  assert.deepEqual(rooms, Object.keys(coreRooms).sort(), 'a new room must be placed in the map (and in docs/architecture.md)');
});

test('the map itself has no cycle: every room lists only rooms placed before it', () => {
  const order = Object.keys(coreRooms);
  for (const [room, below] of Object.entries(coreRooms)) {
    for (const other of below) assert.ok(order.indexOf(other) < order.indexOf(room), `${room} may import ${other}, which is not below it`);
  }
});

test('rooms of the core import only the rooms below them (type-only imports count)', () => {
  const graph = importGraph([coreRoot]);
  const roomOf = (file: string) => {
    const parts = path.relative(coreRoot, file).split(path.sep);
    return parts.length > 1 ? parts[0]! : null;
  };
  assert.deepEqual(forbiddenArrows(graph, roomOf, coreRooms), []);
});

test('the parts of electron/ import downward only, and the renderer only shared code', () => {
  const graph = importGraph(['electron', path.join('renderer', 'src')]);
  const partOf = (file: string) => {
    const parts = file.split(path.sep);
    if (parts[0] === 'renderer') return 'renderer';
    return parts.length > 2 ? parts[1]! : null;
  };
  assert.deepEqual(forbiddenArrows(graph, partOf, { ...electronParts, renderer: ['shared'] }), []);
});

test('no import cycle between any two files of electron/ or the renderer (type-only imports count)', () => {
  const cycles = findCycles(importGraph(['electron', path.join('renderer', 'src')]));
  assert.deepEqual(cycles.map((group) => group.join(' <-> ')), []);
});

/** The ground rooms: every room may use them, so the drawn map leaves their arrows out. */
const groundRooms = new Set(['base', 'fs', 'text', 'net', 'app', 'log', 'archive', 'prefs', 'secrets']);

test('docs/architecture.md draws exactly the arrows the code has between rooms above the ground', () => {
  const text = readFileSync(path.join('docs', 'architecture.md'), 'utf8');
  const drawn = new Set<string>();
  for (const [, from, to] of text.matchAll(/^\s*(?:top|desk|engine|reading)?\s+([a-z]+)\s+→ ([a-z, ]+)$/gm)) {
    for (const target of to!.split(',')) drawn.add(`${from} -> ${target.trim()}`);
  }
  const graph = importGraph([coreRoot]);
  const actual = new Set<string>();
  for (const [from, targets] of graph) {
    const fromParts = path.relative(coreRoot, from).split(path.sep);
    for (const to of targets) {
      const toParts = path.relative(coreRoot, to).split(path.sep);
      if (fromParts.length < 2 || toParts.length < 2 || fromParts[0] === toParts[0] || groundRooms.has(toParts[0]!)) continue;
      actual.add(`${fromParts[0]} -> ${toParts[0]}`);
    }
  }
  assert.deepEqual([...drawn].sort(), [...actual].sort());
});

test('docs/architecture.md takes a newcomer to the code of each main behaviour in one hop', () => {
  const text = readFileSync(path.join('docs', 'architecture.md'), 'utf8');
  for (const behaviour of ['the QR check', 'the split', 'the spool', 'the queue', 'the troubleshooter']) {
    const row = text.split('\n').find((line) => line.startsWith(`| **${behaviour}**`));
    assert.ok(row, `a row for ${behaviour}`);
    const paths = [...row.matchAll(/`(electron\/core\/[^`]+)`/g)].map((match) => match[1]!);
    assert.ok(paths.length > 0, `${behaviour} names its code`);
  }
});

test('every link and every repository path written in README.md and docs/*.md exists', () => {
  const run = spawnSync(process.execPath, ['scripts/check-doc-links.mjs'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});

test('the files docs/architecture.md names for a room are in that room', () => {
  const text = readFileSync(path.join('docs', 'architecture.md'), 'utf8');
  const missing: string[] = [];
  for (const [, room, rest] of text.matchAll(/^\| `(electron\/core\/[a-z-]+\/)` \|(.*)$/gm)) {
    for (const [, name] of rest!.matchAll(/`([a-z-]+\.ts)`/g)) {
      if (!statSync(path.join(room!, name!), { throwIfNoEntry: false })) missing.push(`${room}${name}`);
    }
  }
  assert.deepEqual(missing, []);
});
