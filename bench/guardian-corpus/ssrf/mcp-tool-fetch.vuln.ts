// expect: vulnerable ssrf CWE-918
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

const server = new McpServer({ name: 'reader', version: '1.0.0' });

server.tool('read-page', { address: z.string() }, async ({ address }) => {
  const page = await fetch(address);
  return { content: [{ type: 'text', text: await page.text() }] };
});
