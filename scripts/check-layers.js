// `npm run lint` part: the layer rules of .dependency-cruiser.cjs, and no cycle between the folders of src/.
// dependency-cruiser judges folder cycles folder by folder, nested ones included, where a parent that
// gathers its children's rules (analysis/guardian/rules.ts) and children that use the parent's types form a
// "cycle" that is only an index; the layers are the top folders (and each agent's own folder), so cycles are
// judged between those here, from the same graph.
import { cruise, format } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const options = await extractDepcruiseOptions('./.dependency-cruiser.cjs');
const cruised = await cruise(['src'], { ...options, validate: true }, undefined, {
  tsConfig: extractTSConfig('tsconfig.json'),
});
const result = /** @type {import('dependency-cruiser').ICruiseResult} */ (cruised.output);

/** @param {string} file */
function folderOf(file) {
  const parts = file.split('/');
  if (parts[0] !== 'src' || parts.length < 3) return undefined;
  return parts[1] === 'agents' && parts.length > 3 ? `agents/${parts[2]}` : parts[1];
}

/** @type {Map<string, Map<string, string>>} folder → folder it imports → one import that shows it */
const graph = new Map();
for (const module of result.modules) {
  const from = folderOf(module.source);
  if (!from) continue;
  for (const dependency of module.dependencies) {
    const to = folderOf(dependency.resolved);
    if (!to || to === from) continue;
    if (!graph.has(from)) graph.set(from, new Map());
    const targets = graph.get(from);
    if (!targets.has(to)) targets.set(to, `${module.source} → ${dependency.resolved}`);
  }
}

// Tarjan's strongly connected components: every component of more than one folder is a cycle.
let index = 0;
const indexes = new Map();
const lowLinks = new Map();
const stack = [];
const onStack = new Set();
const components = [];
/** @param {string} folder */
function connect(folder) {
  indexes.set(folder, index);
  lowLinks.set(folder, index);
  index += 1;
  stack.push(folder);
  onStack.add(folder);
  for (const target of graph.get(folder)?.keys() ?? []) {
    if (!indexes.has(target)) {
      connect(target);
      lowLinks.set(folder, Math.min(lowLinks.get(folder), lowLinks.get(target)));
    } else if (onStack.has(target)) {
      lowLinks.set(folder, Math.min(lowLinks.get(folder), indexes.get(target)));
    }
  }
  if (lowLinks.get(folder) !== indexes.get(folder)) return;
  const component = [];
  let member;
  do {
    member = stack.pop();
    onStack.delete(member);
    component.push(member);
  } while (member !== folder);
  if (component.length > 1) components.push(component);
}
for (const folder of graph.keys()) if (!indexes.has(folder)) connect(folder);

const layerReport = await format(result, { outputType: 'err' });
if (result.summary.error > 0) process.stdout.write(layerReport.output);
for (const component of components) {
  console.log(
    `\n  error folder-cycle: src/{${component.sort().join(', ')}} import each other; the imports in the loop:`,
  );
  for (const from of component) {
    for (const [to, example] of graph.get(from) ?? []) if (component.includes(to)) console.log(`      ${example}`);
  }
}
const failures = result.summary.error + components.length;
console.log(failures === 0 ? `layers: ${result.summary.totalCruised} modules, no rule broken, no folder cycle` : '');
process.exitCode = failures === 0 ? 0 : 1;
