import 'diff2html/bundles/css/diff2html.min.css';
import { Diff2HtmlUI } from 'diff2html/lib-esm/ui/js/diff2html-ui-base.js';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import 'highlight.js/styles/github.css';
import { useEffect, useRef, useState } from 'react';

hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('python', python);
hljs.registerLanguage('json', json);
hljs.registerLanguage('css', css);
hljs.registerLanguage('xml', xml);
hljs.registerLanguage('bash', bash);
hljs.registerLanguage('markdown', markdown);
hljs.registerLanguage('yaml', yaml);

/** A unified diff drawn by diff2html, line by line or side by side, highlighted by highlight.js. */
export function DiffView({ diff }: { diff: string }) {
  const [layout, setLayout] = useState<'line-by-line' | 'side-by-side'>('line-by-line');
  const target = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!target.current) return;
    const ui = new Diff2HtmlUI(
      target.current,
      diff,
      { outputFormat: layout, drawFileList: false, matching: 'lines', highlight: true, fileContentToggle: false },
      hljs,
    );
    ui.draw();
    ui.highlightCode();
  }, [diff, layout]);
  return (
    <div className="diff">
      <div role="group" aria-label="Diff layout" className="segmented">
        <button type="button" aria-pressed={layout === 'line-by-line'} onClick={() => setLayout('line-by-line')}>
          Unified
        </button>
        <button type="button" aria-pressed={layout === 'side-by-side'} onClick={() => setLayout('side-by-side')}>
          Side by side
        </button>
      </div>
      <div ref={target} data-testid="diff" />
    </div>
  );
}
