// expect: safe xss CWE-79
import Fastify from 'fastify';

const server = Fastify();

server.get<{ Querystring: { q: string } }>('/echo', async (request, reply) => {
  reply.send(`You searched for ${request.query.q}`);
});

await server.listen({ port: 3000 });
