// expect: safe xss CWE-79
import React from 'react';
import DOMPurify from 'dompurify';

export function Bio({ html }: { html: string }) {
  return <section className="bio" dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(html) }} />;
}
