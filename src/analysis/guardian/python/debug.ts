import { isTrue } from './ast.js';
import { match, pythonRule } from './support.js';

export const debugEnabled = pythonRule({
  id: 'py.debug-enabled',
  issueType: 'debug_enabled',
  cwe: 'CWE-489',
  severity: 'low',
  message: '`app.run(debug=True)` starts the Werkzeug debugger, which runs arbitrary code for anyone who can reach it.',
  remediation:
    'Turn debug mode off outside development (`debug=False`, or drive it from an environment variable) and serve with a production WSGI server.',
  check(_context, { calls }) {
    return calls
      .filter((parts) => parts.method === 'run' && parts.receiver && isTrue(parts.keywords.get('debug')))
      .map((parts) => match(parts.call, 'high'));
  },
});
