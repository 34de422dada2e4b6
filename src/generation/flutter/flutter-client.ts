import type { AppModel } from '../app-model.js';
import type { OpenApiDocument } from '../frontend/api-client.js';
import { operationIndexOf } from '../frontend/operation-index.js';
import type { GeneratedFiles } from '../generated-files.js';
import { snakeCase } from '../naming.js';
import { DEFAULT_PORT } from '../infrastructure/app-settings.js';
import { dartClientSource } from './dart-client.js';
import { screenSource } from './dart-screens.js';
import { dartString } from './dart-source.js';

// The `flutter` target: a Flutter client of the generated API in flutter/ — pubspec.yaml, lib/api.dart
// (models and client from the OpenAPI document), a list, detail and create screen per resource, and a home
// screen (with sign-in when the API has accounts). A pure function of the model and the document.

/** The `http` package, pinned like every dependency of a generated app. */
export const DART_HTTP_VERSION = '1.2.2';
export const FLUTTER_FOLDER = 'flutter';

const pubspec = (model: AppModel) => `name: ${snakeCase(model.name) || 'app'}_client
description: ${JSON.stringify(`A Flutter client of the ${model.title} API.`)}
publish_to: none
version: 0.1.0

environment:
  sdk: ">=3.4.0 <4.0.0"

dependencies:
  flutter:
    sdk: flutter
  http: ${DART_HTTP_VERSION}

flutter:
  uses-material-design: true
`;

const ANALYSIS_OPTIONS = `analyzer:
  language:
    strict-casts: true
    strict-raw-types: true
`;

function mainSource(model: AppModel): string {
  const entries = model.resources.filter((resource) => !resource.parent && resource.operations.includes('list'));
  const imports = entries.map((resource) => `import 'screens/${resource.segment.replaceAll('-', '_')}.dart';`);
  const tiles = entries.map(
    (resource) => `          ListTile(
            title: const Text(${dartString(resource.pluralTitle)}),
            trailing: const Icon(Icons.chevron_right),
            onTap: () => Navigator.of(context).push<void>(
              MaterialPageRoute(builder: (_) => ${resource.name}ListScreen(api: api)),
            ),
          ),`,
  );
  if (model.auth) {
    tiles.unshift(`          ListTile(
            title: const Text('Sign in'),
            leading: const Icon(Icons.login),
            onTap: () => Navigator.of(context).push<void>(
              MaterialPageRoute(builder: (_) => SignInScreen(api: api)),
            ),
          ),`);
  }
  return `import 'package:flutter/material.dart';

import 'api.dart';
${[...(model.auth ? ["import 'sign_in.dart';"] : []), ...imports].join('\n')}

/// Where the API is: \`flutter run --dart-define=API_BASE_URL=http://host:port\`.
const apiBaseUrl = String.fromEnvironment('API_BASE_URL', defaultValue: 'http://127.0.0.1:${DEFAULT_PORT}');

void main() => runApp(App(api: ApiClient(baseUrl: apiBaseUrl)));

class App extends StatelessWidget {
  const App({super.key, required this.api});

  final ApiClient api;

  @override
  Widget build(BuildContext context) {
    return MaterialApp(title: ${dartString(model.title)}, home: HomeScreen(api: api));
  }
}

class HomeScreen extends StatelessWidget {
  const HomeScreen({super.key, required this.api});

  final ApiClient api;

  @override
  Widget build(BuildContext context) {
    return Scaffold(
      appBar: AppBar(title: const Text(${dartString(model.title)})),
      body: ListView(
        children: [
${tiles.join('\n')}
        ],
      ),
    );
  }
}
`;
}

const SIGN_IN = `import 'package:flutter/material.dart';

import 'api.dart';

/// Signs in (or creates an account): the client keeps the token for the operations that need it.
class SignInScreen extends StatefulWidget {
  const SignInScreen({super.key, required this.api});

  final ApiClient api;

  @override
  State<SignInScreen> createState() => _SignInScreenState();
}

class _SignInScreenState extends State<SignInScreen> {
  final _email = TextEditingController();
  final _password = TextEditingController();
  Object? _error;
  bool _busy = false;

  @override
  void dispose() {
    _email.dispose();
    _password.dispose();
    super.dispose();
  }

  Future<void> _enter({required bool register}) async {
    setState(() {
      _busy = true;
      _error = null;
    });
    final credentials = Credentials(email: _email.text.trim(), password: _password.text);
    try {
      final token = register
          ? await widget.api.register(body: credentials)
          : await widget.api.login(body: credentials);
      widget.api.token = token.token;
      if (mounted) Navigator.of(context).pop();
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
      appBar: AppBar(title: const Text('Sign in')),
      body: ListView(
        padding: const EdgeInsets.all(16),
        children: [
          TextField(controller: _email, decoration: const InputDecoration(labelText: 'Email')),
          TextField(controller: _password, obscureText: true, decoration: const InputDecoration(labelText: 'Password')),
          if (_error != null) Text('$_error', style: const TextStyle(color: Colors.red)),
          FilledButton(onPressed: _busy ? null : () => _enter(register: false), child: const Text('Sign in')),
          TextButton(onPressed: _busy ? null : () => _enter(register: true), child: const Text('Create an account')),
        ],
      ),
    );
  }
}
`;

/** The files of the Flutter client, under flutter/. */
export function flutterClientOf(model: AppModel, document: Readonly<Record<string, unknown>>): GeneratedFiles {
  const openApi = document as OpenApiDocument;
  const operations = operationIndexOf(model, openApi);
  const files: Record<string, string> = {
    'pubspec.yaml': pubspec(model),
    'analysis_options.yaml': ANALYSIS_OPTIONS,
    '.gitignore': '.dart_tool/\nbuild/\n.packages\n.flutter-plugins\n.flutter-plugins-dependencies\n',
    'lib/api.dart': dartClientSource(openApi),
    'lib/main.dart': mainSource(model),
  };
  if (model.auth) files['lib/sign_in.dart'] = SIGN_IN;
  for (const resource of model.resources) {
    if (!['list', 'get', 'create'].some((operation) => resource.operations.includes(operation as 'list'))) continue;
    files[`lib/screens/${resource.segment.replaceAll('-', '_')}.dart`] = screenSource(
      model,
      resource,
      openApi,
      operations,
    );
  }
  return Object.fromEntries(
    Object.entries(files)
      .sort(([left], [right]) => (left < right ? -1 : 1))
      .map(([path, text]) => [`${FLUTTER_FOLDER}/${path}`, text]),
  );
}
