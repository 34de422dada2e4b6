// expect: safe permissive_cors CWE-942
import Fastify from 'fastify';
import cors from '@fastify/cors';

const app = Fastify();
await app.register(cors, { origin: ['https://app.example.com'], credentials: true });
app.get('/account', async (req) => ({ id: req.id }));
