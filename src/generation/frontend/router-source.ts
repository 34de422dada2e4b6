// web/src/router.tsx: hash routing in a few lines. Hash URLs need nothing of the server but the index page,
// and a browser test can open any view by its address.

export const routerSource = `import { useEffect, useState, type ReactNode } from 'react';

/** The path after the \`#\`, without its query: always starts with \`/\`. */
export function currentPath(): string {
  const path = window.location.hash.replace(/^#/, '').split('?')[0] ?? '';
  return path.startsWith('/') ? path : '/';
}

/** A query parameter of the hash (\`#/sign-in?next=/posts\`). */
export function queryParameter(name: string): string | undefined {
  const query = window.location.hash.split('?')[1];
  return new URLSearchParams(query ?? '').get(name) ?? undefined;
}

export function navigate(path: string): void {
  window.location.hash = path;
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const onChange = () => setPath(currentPath());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return path;
}

export interface Route {
  /** segments, \`:name\` for a parameter: \`/posts/:post_id/comments/:id\` */
  readonly pattern: string;
  readonly render: (param: (name: string) => string) => ReactNode;
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchOf(pattern: string, path: string): Map<string, string> | undefined {
  const wanted = segmentsOf(pattern);
  const given = segmentsOf(path);
  if (wanted.length !== given.length) return undefined;
  const params = new Map<string, string>();
  for (const [index, segment] of wanted.entries()) {
    const value = given[index] ?? '';
    if (segment.startsWith(':')) params.set(segment.slice(1), decodeURIComponent(value));
    else if (segment !== value) return undefined;
  }
  return params;
}

/** The page for a path: of the routes that match, the one with the most fixed segments (\`new\` beats \`:id\`). */
export function render(routes: readonly Route[], path: string): ReactNode | undefined {
  let best: { route: Route; params: Map<string, string>; fixed: number } | undefined;
  for (const route of routes) {
    const params = matchOf(route.pattern, path);
    if (params === undefined) continue;
    const fixed = segmentsOf(route.pattern).length - params.size;
    if (best === undefined || fixed > best.fixed) best = { route, params, fixed };
  }
  if (best === undefined) return undefined;
  const { params } = best;
  return best.route.render((name) => params.get(name) ?? '');
}

export function Link(props: { readonly to: string; readonly testId?: string; readonly children: ReactNode }) {
  return (
    <a href={'#' + props.to} data-testid={props.testId}>
      {props.children}
    </a>
  );
}
`;
