import { operationsOf, type ClientOperation, type OpenApiDocument } from '../frontend/api-client.js';
import type { JsonSchema } from '../frontend/schema-types.js';
import { allowsNull, dartName, dartString, dartType, fromJsonExpression, toJsonExpression } from './dart-source.js';

// flutter/lib/api.dart, written from the OpenAPI document alone: a class per component schema (fromJson and
// toJson over the document's property names) and an ApiClient with one method per operationId.

const TOTAL_HEADER = 'x-total-count';

interface Property {
  readonly json: string;
  readonly dart: string;
  readonly schema: JsonSchema;
  /** the Dart type, with `?` when the value may be null or absent */
  readonly type: string;
  readonly required: boolean;
}

/** The properties of an object schema as the Dart class holds them. */
export function propertiesOf(schema: JsonSchema): Property[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([json, property]) => {
    const base = dartType(property);
    const optional = !required.has(json) || allowsNull(property);
    return {
      json,
      dart: dartName(json),
      schema: property,
      type: optional && !base.endsWith('?') ? `${base}?` : base,
      required: required.has(json),
    };
  });
}

function modelClass(name: string, schema: JsonSchema): string {
  const properties = propertiesOf(schema);
  if (properties.length === 0) {
    return [
      `class ${name} {`,
      `  const ${name}();`,
      `  factory ${name}.fromJson(Map<String, dynamic> json) => const ${name}();`,
      '  Map<String, dynamic> toJson() => <String, dynamic>{};',
      '}',
    ].join('\n');
  }
  const nullable = (property: Property) => property.type.endsWith('?');
  const read = (property: Property) => {
    const value = `json[${dartString(property.json)}]`;
    const converted = fromJsonExpression(property.schema, value);
    return nullable(property) ? `${value} == null ? null : ${converted}` : converted;
  };
  const write = (property: Property) => {
    const value = nullable(property) ? `${property.dart}!` : property.dart;
    const converted = toJsonExpression(property.schema, value);
    // an optional property left null is left out; a required one that may be null is sent as null
    if (!nullable(property)) return `${dartString(property.json)}: ${converted},`;
    if (property.required) return `${dartString(property.json)}: ${property.dart} == null ? null : ${converted},`;
    return `if (${property.dart} != null) ${dartString(property.json)}: ${converted},`;
  };
  return [
    ...(schema.description ? [`/// ${schema.description.replace(/\s+/g, ' ')}`] : []),
    `class ${name} {`,
    `  const ${name}({`,
    ...properties.map((property) => `    ${nullable(property) ? '' : 'required '}this.${property.dart},`),
    '  });',
    '',
    `  factory ${name}.fromJson(Map<String, dynamic> json) => ${name}(`,
    ...properties.map((property) => `        ${property.dart}: ${read(property)},`),
    '      );',
    '',
    ...properties.map((property) => `  final ${property.type} ${property.dart};`),
    '',
    '  Map<String, dynamic> toJson() => <String, dynamic>{',
    ...properties.map((property) => `        ${write(property)}`),
    '      };',
    '}',
  ].join('\n');
}

function bearerSchemes(document: OpenApiDocument): Set<string> {
  return new Set(
    Object.entries(document.components?.securitySchemes ?? {})
      .filter(([, scheme]) => scheme.type === 'http' && scheme.scheme?.toLowerCase() === 'bearer')
      .map(([name]) => name),
  );
}

/** The path as a Dart string with each parameter interpolated and encoded. */
function pathLiteral(path: string): string {
  return path
    .split(/\{([^}]+)\}/)
    .map((part, index) =>
      index % 2 === 1 ? `\${Uri.encodeComponent(${dartName(part)})}` : dartString(part).slice(1, -1),
    )
    .join('');
}

interface MethodShape {
  readonly returned: string;
  readonly body: string[];
}

function resultOf(operation: ClientOperation['operation']): MethodShape {
  const entry = Object.entries(operation.responses ?? {}).find(([status]) => /^2/.test(status));
  const schema = entry?.[1].content?.['application/json']?.schema;
  if (!schema) return { returned: 'void', body: [] };
  const paged =
    schema.type === 'array' &&
    Object.keys(entry?.[1].headers ?? {}).some((name) => name.toLowerCase() === TOTAL_HEADER);
  const decoded = 'jsonDecode(response.body)';
  if (paged) {
    const item = schema.items ?? {};
    return {
      returned: `ApiPage<${dartType(item)}>`,
      body: [
        `final items = (${decoded} as List<dynamic>).map((element) => ${fromJsonExpression(item, 'element')}).toList();`,
        'return ApiPage(items, _total(response));',
      ],
    };
  }
  return { returned: dartType(schema), body: [`return ${fromJsonExpression(schema, decoded)};`] };
}

function method(client: ClientOperation, bearer: ReadonlySet<string>, globalSecurity: OpenApiDocument['security']) {
  const { operation } = client;
  const parameters = (operation.parameters ?? []).filter((parameter) => ['path', 'query'].includes(parameter.in));
  const requestSchema = operation.requestBody?.content?.['application/json']?.schema;
  const security = operation.security ?? globalSecurity ?? [];
  const secured = security.some((requirement) => Object.keys(requirement).some((name) => bearer.has(name)));
  const named = parameters.map((parameter) => {
    const type = dartType(parameter.schema ?? { type: 'string' });
    return parameter.in === 'path' || parameter.required
      ? `required ${type} ${dartName(parameter.name)}`
      : `${type}? ${dartName(parameter.name)}`;
  });
  if (requestSchema) named.push(`required ${dartType(requestSchema)} body`);
  const query = parameters.filter((parameter) => parameter.in === 'query');
  const options = [
    ...(query.length > 0
      ? [
          `query: {${query.map((parameter) => `${dartString(parameter.name)}: ${dartName(parameter.name)}${parameter.required ? '' : '?'}.toString()`).join(', ')}}`,
        ]
      : []),
    ...(requestSchema ? [`body: ${toJsonExpression(requestSchema, 'body')}`] : []),
    ...(secured ? ['secured: true'] : []),
  ];
  const { returned, body } = resultOf(operation);
  const call = `_send(${dartString(client.method.toUpperCase())}, '${pathLiteral(client.path)}'${options.map((option) => `, ${option}`).join('')})`;
  return [
    ...(operation.summary ? [`  /// ${operation.summary.replace(/\s+/g, ' ')}`] : []),
    `  Future<${returned}> ${client.operationId}(${named.length > 0 ? `{${named.join(', ')}}` : ''}) async {`,
    body.length === 0 ? `    await ${call};` : `    final response = await ${call};`,
    ...body.map((line) => `    ${line}`),
    '  }',
  ].join('\n');
}

const RUNTIME = `/// An answer of the API outside 2xx: its status and body (a problem+json document).
class ApiException implements Exception {
  ApiException(this.status, this.body);

  final int status;
  final String body;

  @override
  String toString() => 'HTTP $status: $body';
}

/** One page of a list, with the total the API counted. */
class ApiPage<T> {
  const ApiPage(this.items, this.total);

  final List<T> items;
  final int total;
}
`.replace(
  '/** One page of a list, with the total the API counted. */',
  '/// One page of a list, with the total the API counted.',
);

const TOTAL_READER = `  static int _total(http.Response response) {
    final total = int.tryParse(response.headers['${TOTAL_HEADER}'] ?? '');
    if (total == null) throw ApiException(response.statusCode, 'the answer has no ${TOTAL_HEADER} header');
    return total;
  }

`;

/** The source of flutter/lib/api.dart. */
export function dartClientSource(document: OpenApiDocument): string {
  const bearer = bearerSchemes(document);
  const prefix = (document.servers?.[0]?.url ?? '').replace(/\/+$/, '');
  const models = Object.entries(document.components?.schemas ?? {})
    .filter(([, schema]) => schema.type === 'object' || schema.properties !== undefined)
    .map(([name, schema]) => modelClass(name, schema));
  const methods = operationsOf(document).map((client) => method(client, bearer, document.security));
  const paged = methods.some((source) => source.includes('_total(response)'));
  return `// Generated from the OpenAPI document: a class per schema, a method per operation. Do not edit by hand.

import 'dart:convert';

import 'package:http/http.dart' as http;

${RUNTIME}
${models.join('\n\n')}

/// The API at [baseUrl] (scheme, host and port); the document's paths follow its server URL.
class ApiClient {
  ApiClient({required this.baseUrl, http.Client? httpClient}) : _http = httpClient ?? http.Client();

  final String baseUrl;
  final http.Client _http;

  /// The bearer token sent to operations that need a signed-in user.
  String? token;

  Future<http.Response> _send(
    String method,
    String path, {
    Map<String, String?> query = const <String, String?>{},
    Object? body,
    bool secured = false,
  }) async {
    final parameters = <String, String>{
      for (final entry in query.entries)
        if (entry.value != null) entry.key: entry.value!,
    };
    final uri = Uri.parse(baseUrl + ${dartString(prefix)} + path);
    final request = http.Request(method, parameters.isEmpty ? uri : uri.replace(queryParameters: parameters));
    request.headers['accept'] = 'application/json';
    if (body != null) {
      request.headers['content-type'] = 'application/json';
      request.body = jsonEncode(body);
    }
    final current = token;
    if (secured && current != null) request.headers['authorization'] = 'Bearer $current';
    final response = await http.Response.fromStream(await _http.send(request));
    if (response.statusCode >= 400) throw ApiException(response.statusCode, response.body);
    return response;
  }

${paged ? TOTAL_READER : ''}${methods.join('\n\n')}
}
`;
}
