// expect: vulnerable xss CWE-79
import Fastify from 'fastify';

const server = Fastify();

server.get<{ Querystring: { q: string } }>('/echo', async (request, reply) => {
  reply.type('text/html');
  reply.send(`<p>You searched for ${request.query.q}</p>`);
});

await server.listen({ port: 3000 });
