// Reference point for benchmarks: Fastify with no plugins, answering what GET /health answers.
import Fastify from 'fastify';

const app = Fastify();
app.get('/health', async () => ({ status: 'ok', timestamp: new Date().toISOString(), version: '0.1.0' }));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ ready: url });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
