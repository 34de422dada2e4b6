// expect: safe ssrf CWE-918
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

const server = new McpServer({ name: 'reader', version: '1.0.0' });

server.tool('read-article', { slug: z.string() }, async ({ slug }) => {
  const page = await fetch(`https://docs.example.org/articles/${encodeURIComponent(slug)}`);
  return { content: [{ type: 'text', text: await page.text() }] };
});
