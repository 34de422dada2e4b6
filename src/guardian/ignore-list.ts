import type { GuardianIgnoreList } from '../db/schema.js';

function globToRegExp(glob: string): RegExp {
  let pattern = '';
  const source = glob.replace(/^\.?\//, '');
  for (let index = 0; index < source.length; index++) {
    const character = source[index]!;
    if (character === '*') {
      if (source[index + 1] === '*') {
        index++;
        if (source[index + 1] === '/') {
          index++;
          pattern += '(?:.*/)?';
        } else pattern += '.*';
      } else pattern += '[^/]*';
    } else if (character === '?') pattern += '[^/]';
    else pattern += character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A glob naming a folder covers everything in it.
  return new RegExp(`^${pattern}(?:/.*)?$`);
}

/** Decides which rules and files a repository's Guardian scans leave out. */
export interface IgnoreMatcher {
  ignoresRule(ruleId: string): boolean;
  ignoresPath(filePath: string): boolean;
}

export function ignoreMatcher(list: GuardianIgnoreList | undefined): IgnoreMatcher {
  const rules = new Set(list?.rules ?? []);
  const globs = (list?.paths ?? []).map(globToRegExp);
  return {
    ignoresRule: (ruleId) => rules.has(ruleId),
    ignoresPath: (filePath) => globs.some((glob) => glob.test(filePath)),
  };
}

const VENDORED = /(?:^|\/)(?:node_modules|vendor|vendored|third_party|bower_components|site-packages|\.venv|venv)\//;
const GENERATED = /\.min\.(?:js|mjs|cjs)$|\.bundle\.js$/;

/** Dependencies and bundles checked into a repository are not the repository's own code. */
export const isVendored = (filePath: string) => VENDORED.test(filePath) || GENERATED.test(filePath);
