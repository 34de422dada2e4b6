// expect: vulnerable xss CWE-79
import React from 'react';

export function Bio({ html }: { html: string }) {
  return <section className="bio" dangerouslySetInnerHTML={{ __html: html }} />;
}
