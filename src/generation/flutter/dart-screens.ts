import { parentParameters, type AppModel, type Resource } from '../app-model.js';
import type { OpenApiDocument } from '../frontend/api-client.js';
import type { OperationIndex } from '../frontend/operation-index.js';
import { childrenOf } from '../frontend/view-routes.js';
import { titleCase } from '../naming.js';
import { propertiesOf } from './dart-client.js';
import { dartName, dartString } from './dart-source.js';

// flutter/lib/screens/<resource>.dart: a list, a detail and a create screen per resource, calling the
// ApiClient's methods by the document's operationIds, and filling the create form from the resource's Input
// schema in the document.

function schemaOf(document: OpenApiDocument, name: string) {
  const schema = document.components?.schemas?.[name];
  if (!schema) throw new Error(`the OpenAPI document has no schema ${name}`);
  return schema;
}

/** The label of an item in a list: its first required text property, else its id. */
function labelOf(document: OpenApiDocument, resource: Resource): string {
  const properties = propertiesOf(schemaOf(document, resource.name));
  const text = properties.find((property) => property.type === 'String' && property.json !== 'id');
  return text ? `item.${text.dart}` : 'item.id';
}

export function screenSource(
  model: AppModel,
  resource: Resource,
  document: OpenApiDocument,
  operations: OperationIndex,
): string {
  const has = (operation: 'list' | 'get' | 'create') => resource.operations.includes(operation);
  const parents = parentParameters(model, resource).map(dartName);
  const parentFields = parents.map((name) => `  final String ${name};`).join('\n');
  const parentParameterList = parents.map((name) => `required this.${name}, `).join('');
  const parentArguments = parents.map((name) => `${name}: widget.${name}, `).join('');
  const title = resource.pluralTitle;
  const item = resource.name;
  // the detail screen opens the lists nested under its item
  const children = has('get') ? childrenOf(model, resource).filter((child) => child.operations.includes('list')) : [];
  const imports = [
    "import 'package:flutter/material.dart';",
    '',
    "import '../api.dart';",
    ...children.map((child) => `import '${child.segment.replaceAll('-', '_')}.dart';`),
  ];
  const parts: string[] = [imports.join('\n')];

  if (has('list')) {
    const call = `widget.api.${operations(resource, 'list')}(${parentArguments}${resource.pagination ? 'limit: 100' : ''})`;
    const load = resource.pagination ? `${call}.then((page) => page.items)` : call;
    const openCreate = has('create')
      ? `
      floatingActionButton: FloatingActionButton(
        tooltip: ${dartString(`New ${resource.title.toLowerCase()}`)},
        onPressed: () async {
          final created = await Navigator.of(context).push<bool>(
            MaterialPageRoute(builder: (_) => ${item}CreateScreen(api: widget.api, ${parentArguments})),
          );
          if (created == true) _reload();
        },
        child: const Icon(Icons.add),
      ),`
      : '';
    const onTap = has('get')
      ? `
                  onTap: () => Navigator.of(context).push<void>(
                    MaterialPageRoute(
                      builder: (_) => ${item}DetailScreen(api: widget.api, id: item.id, ${parentArguments}),
                    ),
                  ),`
      : '';
    parts.push(`class ${item}ListScreen extends StatefulWidget {
  const ${item}ListScreen({super.key, required this.api, ${parentParameterList}});

  final ApiClient api;
${parentFields}

  @override
  State<${item}ListScreen> createState() => _${item}ListScreenState();
}

class _${item}ListScreenState extends State<${item}ListScreen> {
  late Future<List<${item}>> _items = _load();

  Future<List<${item}>> _load() => ${load};

  void _reload() => setState(() => _items = _load());

  @override
  Widget build(BuildContext context) {
    return Scaffold(
      appBar: AppBar(title: const Text(${dartString(title)})),${openCreate}
      body: FutureBuilder<List<${item}>>(
        future: _items,
        builder: (context, snapshot) {
          if (snapshot.hasError) return Center(child: Text('\${snapshot.error}'));
          final items = snapshot.data;
          if (items == null) return const Center(child: CircularProgressIndicator());
          if (items.isEmpty) return Center(child: Text(${dartString(`No ${title.toLowerCase()} yet.`)}));
          return ListView(
            children: [
              for (final item in items)
                ListTile(
                  title: Text('\${${labelOf(document, resource)}}'),
                  subtitle: Text(item.id),${onTap}
                ),
            ],
          );
        },
      ),
    );
  }
}`);
  }

  if (has('get')) {
    const properties = propertiesOf(schemaOf(document, item));
    const rows = properties.map((property) => {
      const value = property.type.startsWith('List<')
        ? `item.${property.dart}${property.type.endsWith('?') ? "?.join(', ') ?? '—'" : ".join(', ')"}`
        : property.type.endsWith('?')
          ? `item.${property.dart} ?? '—'`
          : `item.${property.dart}`;
      return `                ListTile(title: const Text(${dartString(titleCase(property.json))}), subtitle: Text('\${${value}}')),`;
    });
    const childButtons = children.map((child) => {
      const childParents = parentParameters(model, child).map(dartName);
      const argumentsOf = childParents
        .map((name, index) => `${name}: ${index === childParents.length - 1 ? 'widget.id' : `widget.${name}`}, `)
        .join('');
      return `                ListTile(
                  title: const Text(${dartString(child.pluralTitle)}),
                  trailing: const Icon(Icons.chevron_right),
                  onTap: () => Navigator.of(context).push<void>(
                    MaterialPageRoute(builder: (_) => ${child.name}ListScreen(api: widget.api, ${argumentsOf})),
                  ),
                ),`;
    });
    parts.push(`class ${item}DetailScreen extends StatefulWidget {
  const ${item}DetailScreen({super.key, required this.api, required this.id, ${parentParameterList}});

  final ApiClient api;
  final String id;
${parentFields}

  @override
  State<${item}DetailScreen> createState() => _${item}DetailScreenState();
}

class _${item}DetailScreenState extends State<${item}DetailScreen> {
  late final Future<${item}> _item = widget.api.${operations(resource, 'get')}(${parentArguments}id: widget.id);

  @override
  Widget build(BuildContext context) {
    return Scaffold(
      appBar: AppBar(title: const Text(${dartString(resource.title)})),
      body: FutureBuilder<${item}>(
        future: _item,
        builder: (context, snapshot) {
          if (snapshot.hasError) return Center(child: Text('\${snapshot.error}'));
          final item = snapshot.data;
          if (item == null) return const Center(child: CircularProgressIndicator());
          return ListView(
            children: [
${[...rows, ...childButtons].join('\n')}
            ],
          );
        },
      ),
    );
  }
}`);
  }

  if (has('create'))
    parts.push(createScreen(resource, document, operations, { parentFields, parentParameterList, parentArguments }));
  return `${parts.join('\n\n')}\n`;
}

function createScreen(
  resource: Resource,
  document: OpenApiDocument,
  operations: OperationIndex,
  parents: { parentFields: string; parentParameterList: string; parentArguments: string },
): string {
  const item = resource.name;
  const properties = propertiesOf(schemaOf(document, `${item}Input`));
  const state: string[] = [];
  const fields: string[] = [];
  const values: string[] = [];
  for (const property of properties) {
    const name = property.dart;
    const label = dartString(`${titleCase(property.json)}${property.required ? ' *' : ''}`);
    const nullable = property.type.endsWith('?');
    const base = property.type.replace(/\?$/, '');
    const enumValues = property.schema.enum?.filter((value): value is string => typeof value === 'string');
    if (base === 'bool') {
      state.push(`  bool _${name} = false;`);
      fields.push(
        `            SwitchListTile(title: const Text(${label}), value: _${name}, onChanged: (value) => setState(() => _${name} = value)),`,
      );
      values.push(`${name}: _${name},`);
      continue;
    }
    if (enumValues && enumValues.length > 0) {
      state.push(`  String? _${name};`);
      fields.push(`            DropdownButtonFormField<String>(
              decoration: const InputDecoration(labelText: ${label}),
              items: const [${enumValues.map((value) => `DropdownMenuItem(value: ${dartString(value)}, child: Text(${dartString(value)}))`).join(', ')}],
              onChanged: (value) => setState(() => _${name} = value),${property.required ? "\n              validator: (value) => value == null ? 'Required' : null," : ''}
            ),`);
      values.push(`${name}: _${name}${nullable ? '' : '!'},`);
      continue;
    }
    state.push(`  final _${name} = TextEditingController();`);
    const numeric = base === 'int' || base === 'double';
    const list = base.startsWith('List<');
    const parse = base === 'int' ? 'int.tryParse' : 'double.tryParse';
    const checks = [
      ...(property.required ? ["if (text.isEmpty) return 'Required';"] : []),
      ...(numeric ? [`if (text.isNotEmpty && ${parse}(text) == null) return 'A number';`] : []),
    ];
    fields.push(`            TextFormField(
              controller: _${name},
              decoration: const InputDecoration(labelText: ${label}${list ? ", helperText: 'ids separated by commas'" : ''}),${numeric ? '\n              keyboardType: TextInputType.number,' : ''}${
                checks.length > 0
                  ? `
              validator: (value) {
                final text = value?.trim() ?? '';
                ${checks.join('\n                ')}
                return null;
              },`
                  : ''
              }
            ),`);
    const text = `_${name}.text.trim()`;
    const converted = list
      ? `${text}.split(RegExp(r'[\\s,]+')).where((id) => id.isNotEmpty).toList()`
      : numeric
        ? `${parse}(${text})${nullable ? '' : '!'}`
        : text;
    values.push(`${name}: ${nullable ? `${text}.isEmpty ? null : ` : ''}${converted},`);
  }
  const controllers = properties.filter((property) => state.some((line) => line.includes(`final _${property.dart} =`)));
  return `class ${item}CreateScreen extends StatefulWidget {
  const ${item}CreateScreen({super.key, required this.api, ${parents.parentParameterList}});

  final ApiClient api;
${parents.parentFields}

  @override
  State<${item}CreateScreen> createState() => _${item}CreateScreenState();
}

class _${item}CreateScreenState extends State<${item}CreateScreen> {
  final _form = GlobalKey<FormState>();
${state.join('\n')}
  Object? _error;
  bool _busy = false;
${
  controllers.length > 0
    ? `
  @override
  void dispose() {
${controllers.map((property) => `    _${property.dart}.dispose();`).join('\n')}
    super.dispose();
  }
`
    : ''
}
  Future<void> _submit() async {
    if (!(_form.currentState?.validate() ?? false)) return;
    setState(() {
      _busy = true;
      _error = null;
    });
    try {
      await widget.api.${operations(resource, 'create')}(
        ${parents.parentArguments}body: ${item}Input(
          ${values.join('\n          ')}
        ),
      );
      if (mounted) Navigator.of(context).pop(true);
    } catch (error) {
      if (!mounted) return;
      setState(() {
        _error = error;
        _busy = false;
      });
    }
  }

  @override
  Widget build(BuildContext context) {
    return Scaffold(
      appBar: AppBar(title: const Text(${dartString(`New ${resource.title.toLowerCase()}`)})),
      body: Form(
        key: _form,
        child: ListView(
          padding: const EdgeInsets.all(16),
          children: [
${fields.join('\n')}
            if (_error != null) Text('$_error', style: const TextStyle(color: Colors.red)),
            FilledButton(onPressed: _busy ? null : _submit, child: const Text('Create')),
          ],
        ),
      ),
    );
  }
}`;
}
