#!/usr/bin/env node
/**
 * Summarises a V8 .cpuprofile (from BENCH_JC_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"):
 * self time by function and by file, top entries.
 *   node bench/lib/profile-summary.mjs DIR/*.cpuprofile [--top 30]
 */
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2).filter((a) => a.endsWith('.cpuprofile'));
const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 30;
for (const file of files) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = p.timeDeltas;
  for (let i = 0; i < p.samples.length; i++)
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (dt[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map();
  const byFile = new Map();
  for (const [id, us] of self) {
    const cf = byId.get(id).callFrame;
    const where = cf.url.replace(/^.*node_modules\//, 'nm:').replace(/^.*packages\/server\/dist\//, 'jc:');
    const fn = `${cf.functionName || '(anon)'} ${where}:${cf.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    const pkg = where.startsWith('nm:')
      ? where
          .split('/')
          .slice(0, where.startsWith('nm:@') ? 2 : 1)
          .join('/')
      : where || cf.functionName;
    byFile.set(pkg, (byFile.get(pkg) ?? 0) + us);
  }
  const show = (title, m) => {
    console.log(`\n${title} (${file}, total ${(total / 1000).toFixed(0)} ms sampled)`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(
        `${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`,
      );
    }
  };
  // Inclusive time of JobCenter's own functions (dist/), children counted once per stack.
  const children = new Map(p.nodes.map((n) => [n.id, n.children ?? []]));
  const incl = new Map();
  const walk = (id, stack) => {
    const node = byId.get(id);
    const cf = node.callFrame;
    let key = null;
    if (cf.url.includes('packages/server/dist/')) {
      key = `${cf.functionName || '(anon)'} ${cf.url.replace(/^.*packages\/server\/dist\//, 'jc:')}:${cf.lineNumber + 1}`;
    }
    const fresh = key !== null && !stack.has(key);
    if (fresh) stack.add(key);
    let sum = self.get(id) ?? 0;
    for (const c of children.get(id)) sum += walk(c, stack);
    if (fresh) {
      stack.delete(key);
      incl.set(key, (incl.get(key) ?? 0) + sum);
    }
    return sum;
  };
  walk(p.nodes[0].id, new Set());
  show('self time by file/package', byFile);
  show('self time by function', byFn);
  show("inclusive time of JobCenter's functions", incl);
}
